import { SpecError } from '../errors';
import { pyStr, reprStr } from '../py/repr';
import { PyValue, truthy } from '../py/value';
import { copyModeOf } from '../tag/compute';
import { fieldWhere } from './postInit';
import { FIELDS, type FieldName, type ImageSpec, type SpecView } from './types';

/**
 * The typed view the Dockerfile generator consumes. Values are rendered with Python's `str()`, as
 * flytekit's template renders them, so a YAML float `python_version: 3.11` still means "3.11".
 */
export function specView(spec: ImageSpec, baseImageName?: string): SpecView {
  const v = spec.values;
  const opt = (f: FieldName): string | undefined => (v[f].kind === 'none' ? undefined : pyStr(v[f]));
  const strs = (f: FieldName): string[] => {
    const x = v[f];
    return x.kind === 'list' ? x.items.map((i) => pyStr(i)) : [];
  };
  const builderConfig = (key: string): string | undefined => {
    const bc = v.builder_config;
    if (bc.kind !== 'dict') return undefined;
    const hit = bc.entries.find(([k]) => k.kind === 'str' && k.value === key);
    if (!hit) return undefined;
    if (hit[1].kind !== 'str') {
      throw new SpecError(`builder_config.${key} must be an image reference string`, {
        ...fieldWhere(spec, 'builder_config', hit[1]),
        field: `builder_config.${key}`,
      });
    }
    return hit[1].value;
  };
  const env: Array<[string, string]> = v.env.kind === 'dict' ? v.env.entries.map(([k, x]): [string, string] => [pyStr(k), pyStr(x)]) : [];
  const entrypoint = v.entrypoint.kind === 'list' ? strs('entrypoint') : undefined;
  return {
    name: pyStr(v.name),
    pythonVersion: opt('python_version'),
    builder: opt('builder'),
    sourceRoot: opt('source_root'),
    copyMode: spec.values.source_root.kind === 'none' ? undefined : copyModeOf(v.source_copy_mode),
    env,
    registry: truthy(v.registry) ? opt('registry') : undefined,
    packages: strs('packages'),
    condaPackages: strs('conda_packages'),
    condaChannels: strs('conda_channels'),
    requirements: truthy(v.requirements) ? opt('requirements') : undefined,
    aptPackages: strs('apt_packages'),
    cuda: opt('cuda'),
    cudnn: opt('cudnn'),
    baseImage: baseImageName ?? (truthy(v.base_image) ? opt('base_image') : undefined),
    platform: pyStr(v.platform),
    pipIndex: truthy(v.pip_index) ? opt('pip_index') : undefined,
    pipExtraIndexUrl: strs('pip_extra_index_url'),
    pipExtraArgs: truthy(v.pip_extra_args) ? opt('pip_extra_args') : undefined,
    entrypoint,
    commands: strs('commands'),
    copy: strs('copy'),
    pythonExec: truthy(v.python_exec) ? opt('python_exec') : undefined,
    runtimePackages: strs('runtime_packages'),
    uvImage: builderConfig('uv_image'),
    micromambaImage: builderConfig('micromamba_image'),
  };
}

/** The first string inside `v` that holds a lone surrogate. */
function loneSurrogate(v: PyValue): string | undefined {
  switch (v.kind) {
    case 'str':
      return v.value.isWellFormed() ? undefined : v.value;
    case 'list':
    case 'tuple':
      for (const item of v.items) {
        const s = loneSurrogate(item);
        if (s !== undefined) return s;
      }
      return undefined;
    case 'dict':
      for (const [k, x] of v.entries) {
        const s = loneSurrogate(k) ?? loneSurrogate(x);
        if (s !== undefined) return s;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Fields that never reach the Dockerfile, the build's arguments or the image name. */
const NOT_RENDERED: ReadonlySet<FieldName> = new Set(['builder_options', 'builder_config', 'pip_secret_mounts', 'runtime_packages']);

/**
 * PyYAML keeps a lone surrogate escape (`"\ud800"`) and flytekit hashes its repr, so the tag is
 * computed; but a lone surrogate cannot be encoded as UTF-8, and flytekit fails once it writes the
 * Dockerfile or passes the image name to the builder. Refused before any build instead.
 */
export function checkEncodable(spec: ImageSpec): void {
  for (const field of FIELDS) {
    if (NOT_RENDERED.has(field)) continue;
    const s = loneSurrogate(spec.values[field]);
    if (s !== undefined) {
      throw new SpecError(
        `${field} holds a lone surrogate (${reprStr(s)}): flytekit computes a tag for it, but it cannot be written as UTF-8 into the Dockerfile or the image name, so the image cannot be built`,
        fieldWhere(spec, field, spec.values[field]),
      );
    }
  }
  const bc = spec.values.builder_config;
  if (bc.kind !== 'dict') return;
  for (const [k, x] of bc.entries) {
    if (k.kind === 'str' && (k.value === 'uv_image' || k.value === 'micromamba_image') && loneSurrogate(x) !== undefined) {
      throw new SpecError(`builder_config.${k.value} holds a lone surrogate, which cannot be an image reference`, {
        ...fieldWhere(spec, 'builder_config', x),
        field: `builder_config.${k.value}`,
      });
    }
  }
}
