import { InputError } from '../errors';
import type { PlannedImage } from './plan';

/**
 * The images an `only` list asks for, with the repository base specs they build on (transitively):
 * a matrix job building `app` must be able to build `app`'s base when that is missing too. Every
 * key must name a spec, so a typo in a matrix cannot silently turn into a job that does nothing.
 */
export function selectOnly<T extends Pick<PlannedImage, 'key' | 'baseKey'>>(images: T[], only: string[]): T[] {
  if (only.length === 0) return images;
  const byKey = new Map(images.map((p) => [p.key, p]));
  const unknown = only.filter((k) => !byKey.has(k));
  if (unknown.length > 0) {
    throw new InputError(
      `input 'only': no spec has the key ${unknown.map((k) => `'${k}'`).join(', ')}; keys are ${[...byKey.keys()].map((k) => `'${k}'`).join(', ')}`,
      'only',
    );
  }
  const wanted = new Set<string>();
  for (const start of only) {
    let key: string | undefined = start;
    while (key !== undefined && !wanted.has(key)) {
      wanted.add(key);
      key = byKey.get(key)?.baseKey;
    }
  }
  return images.filter((p) => wanted.has(p.key));
}
