import { SpecError } from '../errors';
import type { PlannedImage } from './plan';

/**
 * Image keys: how outputs, `only`, the matrix and annotations name an image, and so usable in
 * `fromJSON(...)[key]`, a shell word and a file name. The one grammar is KEY_RE. Python specs (both
 * engines) get theirs from where they are defined:
 * `<module>.<variable>` for a spec bound to a module-level name (`<module>.<variable>.<index or
 * key>` for an element of a module-level list, tuple or dict), `<module>.<task function>` for a spec
 * written inline in a task decorator, `<module>.<variable>` for one inline in a `ContainerTask(...)`
 * assigned to a variable, and, for nested base specs with no name, `<key of the spec using it>.base_image`.
 * Characters outside `[A-Za-z0-9_.-]` become `_`, a key that would not start with `[A-Za-z0-9_]`
 * gets a leading `_`, keys are cut to 128 characters, and a repeated key gets `-2`, `-3`, … in order.
 */
export const KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/**
 * flytekit's `ImageSpec.id`, the name `--image <id>=<image>` gives an ImageSpec written in Python:
 * url-safe base64 of an md5 without padding, so 22 characters that may start with '-' or '_' (one
 * id in 32 does), which click still reads as the option's value.
 */
export const SPEC_ID_RE = /^[A-Za-z0-9_-]{22}$/;
/** KEY_RE in words, for messages. */
export const KEY_GRAMMAR = "letters, digits, '_', '.' and '-', starting with a letter, digit or '_', at most 128 characters";

export function sanitizeKey(raw: string, suffix = ''): string {
  let k = raw.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (!/^[A-Za-z0-9_]/.test(k)) k = '_' + k;
  return k.slice(0, 128 - suffix.length) + suffix;
}

export class KeyRegistry {
  private readonly taken = new Set<string>();

  claim(raw: string): string {
    let k = sanitizeKey(raw);
    for (let n = 2; this.taken.has(k); n++) k = sanitizeKey(raw, `-${n}`);
    this.taken.add(k);
    return k;
  }
}

/** A YAML spec file, an ImageSpec in Python and a Flyte 2 environment may not share a key: outputs name images by key. */
export function duplicateKeys(images: ReadonlyArray<Pick<PlannedImage, 'key' | 'source'>>): SpecError[] {
  const seen = new Map<string, Pick<PlannedImage, 'key' | 'source'>>();
  const errors: SpecError[] = [];
  for (const p of images) {
    const other = seen.get(p.key);
    if (other) {
      errors.push(
        new SpecError(`the image key '${p.key}' is also the key of the image in ${other.source.file}; rename one of them`, {
          file: p.source.file,
          line: p.source.line,
        }),
      );
    } else seen.set(p.key, p);
  }
  return errors;
}
