import { SpecError } from '../errors';
import { pyStr } from '../py/repr';
import { truthy } from '../py/value';
import { copyModeOf } from '../tag/compute';
import { fieldWhere } from './postInit';
import type { FieldName, ImageSpec, SpecView } from './types';

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
