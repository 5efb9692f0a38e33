import { SpecError } from '../errors';
import { PyValue, str, truthy, typeName, none } from '../py/value';
import { pyLower } from '../py/case';
import { FIELDS, FieldName, ImageSpec } from './types';

/** flytekit's registry pattern, applied with `re.match` to the lower-cased registry. */
const REGISTRY_RE = /^(localhost:\d{1,5}|([a-z\d._-]+)(:\d{1,5})?)(\/[\w.-]+)*$/;

/** Fields flytekit requires to be None or a list of str. `copy` is ours: flytekit would iterate a string's characters. */
const STRING_LIST_FIELDS: readonly FieldName[] = [
  'packages',
  'conda_channels',
  'conda_packages',
  'apt_packages',
  'pip_extra_index_url',
  'entrypoint',
  'commands',
  'runtime_packages',
  'copy',
];

/** Fields that name files or directories; flytekit would crash on any other type, we say so. */
const PATH_FIELDS: readonly FieldName[] = ['source_root', 'requirements', 'registry_config'];

export interface PostInitOptions {
  /** `platform.machine()` of the host that will run pyflyte; only `arm64`/`aarch64` matter. */
  hostMachine: string;
  file?: string;
}

/** Field-level problems point at the field's key; `v` is the fallback for specs without key positions. */
function where(spec: { keyPos: ImageSpec['keyPos']; file?: string }, field: FieldName, v?: PyValue) {
  const p = spec.keyPos[field] ?? v?.pos;
  return { file: spec.file, field, line: p?.line, col: p?.col };
}

/**
 * Normalise and validate like flytekit's `ImageSpec.__post_init__`, in its order, with its error
 * texts where it has them. Where flytekit would crash with an unrelated Python error (a number as
 * `name`, a list as `source_root`) we raise a clear error on that field instead.
 */
export function postInit(
  given: Partial<Record<FieldName, PyValue>>,
  opts: PostInitOptions & { keyPos?: ImageSpec['keyPos']; baseSpec?: ImageSpec },
): ImageSpec {
  const values = Object.fromEntries(FIELDS.map((f) => [f, given[f] ?? none()])) as Record<FieldName, PyValue>;
  if (!('name' in given)) values.name = str('flytekit');
  const spec: ImageSpec = { values, keyPos: opts.keyPos ?? {}, file: opts.file, baseSpec: opts.baseSpec };

  const name = values.name;
  if (name.kind !== 'str') {
    throw new SpecError(`name must be a string, got ${typeName(name)}`, where(spec, 'name', name));
  }
  // Python's str.lower() with Python 3.11's Unicode tables: the image name must be flytekit's.
  values.name = { ...name, value: pyLower(name.value) };

  const registry = values.registry;
  if (truthy(registry)) {
    if (registry.kind !== 'str') {
      throw new SpecError(`registry must be a string, got ${typeName(registry)}`, where(spec, 'registry', registry));
    }
    const lowered = pyLower(registry.value);
    if (!REGISTRY_RE.test(lowered)) {
      throw new SpecError(
        `Invalid container registry name: '${lowered}'. Expected a host with an optional port and path, ` +
          `such as 'ghcr.io/org', 'localhost:30000' or 'docker.io/user' (no tag)`,
        where(spec, 'registry', registry),
      );
    }
    values.registry = { ...registry, value: lowered };
  }

  if (values.platform.kind === 'none') {
    const arm = ['arm64', 'aarch64'].includes(opts.hostMachine.toLowerCase());
    const localhost = values.registry.kind === 'str' && values.registry.value.startsWith('localhost:');
    values.platform = str(arm && localhost ? 'linux/arm64' : 'linux/amd64');
  } else if (values.platform.kind !== 'str') {
    throw new SpecError(
      `platform must be a string such as 'linux/amd64', got ${typeName(values.platform)}`,
      where(spec, 'platform', values.platform),
    );
  }

  // `source_copy_mode or LOADED_MODULES`: a falsy YAML value ("", 0, false) is replaced too.
  if (values.source_root.kind !== 'none' && !truthy(values.source_copy_mode)) {
    values.source_copy_mode = { kind: 'enum', cls: 'CopyFileDetection', member: 'LOADED_MODULES', value: 1 };
  }

  for (const field of STRING_LIST_FIELDS) {
    const v = values[field];
    if (v.kind === 'none') continue;
    if (v.kind !== 'list') {
      throw new SpecError(`${field} must be a list of strings or None, got ${typeName(v)}`, where(spec, field, v));
    }
    v.items.forEach((item, i) => {
      if (item.kind !== 'str') {
        throw new SpecError(`${field} must be a list of strings or None: item ${i} is ${typeName(item)}`, {
          ...where(spec, field),
          ...(item.pos ? { line: item.pos.line, col: item.pos.col } : {}),
          field: `${field}[${i}]`,
        });
      }
    });
  }

  const mounts = values.pip_secret_mounts;
  if (mounts.kind !== 'none') {
    const ok =
      mounts.kind === 'list' &&
      mounts.items.every((m) => m.kind === 'tuple' && m.items.length === 2 && m.items.every((x) => x.kind === 'str'));
    if (!ok) {
      throw new SpecError(
        'pip_secret_mounts must be a list of tuples of two strings or None (a YAML file cannot express tuples; ' +
          'pass build secrets through the action instead)',
        where(spec, 'pip_secret_mounts', mounts),
      );
    }
  }

  for (const field of ['builder_options', 'builder_config', 'env'] as const) {
    const v = values[field];
    // flytekit only reads env through `if image_spec.env:`, so any falsy value (`env: []`) means none.
    if (field === 'env' && !truthy(v)) continue;
    if (v.kind !== 'none' && v.kind !== 'dict') {
      const what = field === 'builder_options' ? 'builder_options must be a dictionary or None' : `${field} must be a mapping`;
      throw new SpecError(`${what}, got ${typeName(v)}`, where(spec, field, v));
    }
  }

  for (const field of PATH_FIELDS) {
    const v = values[field];
    if (v.kind !== 'none' && v.kind !== 'str') {
      throw new SpecError(`${field} must be a path string, got ${typeName(v)}`, where(spec, field, v));
    }
  }

  const tagFormat = values.tag_format;
  if (truthy(tagFormat) && tagFormat.kind !== 'str') {
    throw new SpecError(`tag_format must be a string, got ${typeName(tagFormat)}`, where(spec, 'tag_format', tagFormat));
  }
  return spec;
}

export { where as fieldWhere };
