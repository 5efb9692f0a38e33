import { createHash } from 'node:crypto';
import { SpecError } from '../errors';
import { pyRepr } from '../py/repr';
import { pyFormat, PyFormatError } from '../py/format';
import { PyDict, PyValue, str, truthy } from '../py/value';
import { fieldWhere } from '../imagespec/postInit';
import { FIELDS, FieldName, ImageSpec, CopyMode } from '../imagespec/types';

/** Fields flytekit leaves out of both the tag hash and the id. */
const EXCLUDED: ReadonlySet<FieldName> = new Set(['pip_secret_mounts', 'builder', 'runtime_packages']);

/**
 * The file-content digests that replace paths in the tag hash. Injected so the hashing core stays
 * pure; `fsDigests` implements them against the working directory.
 */
export interface Digests {
  /** sha1 hex of the requirements file (ASCII whitespace stripped), path as written in the spec. */
  requirements(path: string): string;
  /** md5 hex over the selected source_root files. */
  sourceRoot(path: string, mode: Exclude<CopyMode, 'no-copy'>): string;
  /** md5 hex over the `copy` entries. */
  copy(entries: string[]): string;
  /** Optional: start slow work for `sourceRoot(path, …)` ahead; computing the digest must not wait for it to be called. */
  prepare?(sourceRootPath: string, mode: Exclude<CopyMode, 'no-copy'>): Promise<void>;
  /** Optional: `prepare` may hold work back to do it together; before waiting for a root's, call this to start it (without a root: all). */
  flushPrepared?(sourceRootPath?: string): void;
}

export interface TagResult {
  /** The exact Python `str()` of the dict that was md5-hashed. */
  hashInput: string;
  /** base64url(md5) without padding, `-` replaced by `_`. */
  specHash: string;
  tag: string;
  /** `registry/name:tag`, or `name:tag` without a registry. */
  imageName: string;
}

/** How flytekit's `ls_files` treats the spec's `source_copy_mode` (an enum from Python, any value from YAML). */
export function copyModeOf(v: PyValue): CopyMode | undefined {
  if (v.kind === 'none') return undefined;
  if (v.kind === 'enum') {
    if (v.member === 'NO_COPY') return 'no-copy';
    if (v.member === 'LOADED_MODULES') return 'loaded-modules';
    return 'all';
  }
  // A YAML string is never equal to the enum, so flytekit takes the "list all files" branch.
  return 'all';
}

/** The `source_root` whose files the tag will hash, if any: what `Digests.prepare` can start on early. */
export function hashedSourceRoot(spec: ImageSpec): string | undefined {
  return hashedSource(spec)?.root;
}

/** `hashedSourceRoot` and the mode it is listed in. */
export function hashedSource(spec: ImageSpec): { root: string; mode: Exclude<CopyMode, 'no-copy'> } | undefined {
  const v = spec.values;
  const mode = copyModeOf(v.source_copy_mode);
  if (mode === undefined || mode === 'no-copy') return undefined;
  return truthy(v.source_root) && v.source_root.kind === 'str' ? { root: v.source_root.value, mode } : undefined;
}

/** flytekit's `_calculate_hash_from_image_spec` core: md5 of the repr, base64url, no padding. */
export function hashRepr(repr: string, where: { file?: string } = {}): string {
  if (!repr.isWellFormed()) {
    throw new SpecError('the spec contains a lone surrogate code point, which cannot be encoded as UTF-8', where);
  }
  return createHash('md5').update(repr, 'utf8').digest('base64url');
}

/** `dataclasses.asdict` with flytekit's filter: None-valued fields and the excluded ones dropped. */
function filteredDict(values: Record<FieldName, PyValue>, nested?: (field: FieldName) => PyValue | undefined): PyDict {
  const entries: Array<[PyValue, PyValue]> = [];
  for (const field of FIELDS) {
    if (EXCLUDED.has(field)) continue;
    const v = nested?.(field) ?? values[field];
    if (v.kind === 'none') continue;
    entries.push([str(field), v]);
  }
  return { kind: 'dict', entries };
}

/** The dict `ImageSpec.id` hashes: the spec as it is, a nested base spec written out as its own dict. */
export function idDict(spec: ImageSpec): PyDict {
  return filteredDict(spec.values, (f) => (f === 'base_image' && spec.baseSpec ? idDict(spec.baseSpec) : undefined));
}

/** `ImageSpec.id`: used for `_F_IMG_ID` and ImageConfig look-ups. Always 22 characters. */
export function specId(spec: ImageSpec): string {
  return hashRepr(pyRepr(idDict(spec)), spec);
}

/** `ImageSpec.tag` and `image_name()`, step by step as flytekit 1.16 computes them (reference §4.2). */
export function computeTag(spec: ImageSpec, digests: Digests, baseImageName?: string): TagResult {
  const v = spec.values;
  const t: Record<FieldName, PyValue> = { ...v };

  // A planner that already has the base's image name passes it: recomputing it makes chains quadratic.
  if (spec.baseSpec) t.base_image = str(baseImageName ?? computeTag(spec.baseSpec, digests).imageName);

  const mode = copyModeOf(v.source_copy_mode);
  if (mode !== undefined && mode !== 'no-copy') {
    const root = hashedSourceRoot(spec);
    if (root === undefined) {
      throw new SpecError(
        `Field source_root for image spec ${pyName(spec)} must be set when copy is set (source_copy_mode needs a source_root)`,
        fieldWhere(spec, 'source_copy_mode', v.source_copy_mode),
      );
    }
    t.source_root = str(guard(spec, 'source_root', () => digests.sourceRoot(root, mode)));
  }

  if (truthy(v.copy) && v.copy.kind === 'list') {
    const entries = v.copy.items.map((i) => (i.kind === 'str' ? i.value : ''));
    t.copy = str(guard(spec, 'copy', () => digests.copy(entries)));
  }

  if (truthy(v.requirements) && v.requirements.kind === 'str') {
    const path = v.requirements.value;
    t.requirements = str(guard(spec, 'requirements', () => digests.requirements(path)));
  }

  t.registry_config = { kind: 'none' };

  const hashInput = pyRepr(filteredDict(t));
  const specHash = hashRepr(hashInput, spec).replace(/-/g, '_');
  let tag = specHash;
  if (truthy(v.tag_format) && v.tag_format.kind === 'str') {
    try {
      tag = pyFormat(v.tag_format.value, { spec_hash: specHash });
    } catch (e) {
      if (e instanceof PyFormatError) {
        throw new SpecError(`tag_format cannot be applied: ${e.pyType}: ${e.pyMessage}`, fieldWhere(spec, 'tag_format', v.tag_format));
      }
      throw e;
    }
  }
  const name = (v.name as { value: string }).value;
  const imageName = truthy(v.registry) ? `${(v.registry as { value: string }).value}/${name}:${tag}` : `${name}:${tag}`;
  return { hashInput, specHash, tag, imageName };
}

function pyName(spec: ImageSpec): string {
  return spec.values.name.kind === 'str' ? spec.values.name.value : '?';
}

/** Attach the spec's file and the field's line to digest failures (missing files, unsafe links). */
function guard(spec: ImageSpec, field: FieldName, f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof SpecError) throw e.withDefaults(fieldWhere(spec, field, spec.values[field]));
    const err = e as NodeJS.ErrnoException;
    const what = err.code === 'ENOENT' ? `file not found: ${err.path ?? ''}` : err.message;
    throw new SpecError(what, fieldWhere(spec, field, spec.values[field]));
  }
}
