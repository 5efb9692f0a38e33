import type { PyValue, Pos } from '../py/value';

/** ImageSpec fields in flytekit 1.16 declaration order, which is also the order of the hashed dict. */
export const FIELDS = [
  'name',
  'python_version',
  'builder',
  'source_root',
  'env',
  'registry',
  'packages',
  'conda_packages',
  'conda_channels',
  'requirements',
  'apt_packages',
  'cuda',
  'cudnn',
  'base_image',
  'platform',
  'pip_index',
  'pip_extra_index_url',
  'pip_secret_mounts',
  'pip_extra_args',
  'registry_config',
  'entrypoint',
  'commands',
  'tag_format',
  'source_copy_mode',
  'copy',
  'python_exec',
  'runtime_packages',
  'builder_options',
  'builder_config',
] as const;

export type FieldName = (typeof FIELDS)[number];

/**
 * An ImageSpec after flytekit's `__post_init__`: every field holds the Python value flytekit would
 * hold (unset fields are `none`). `base_image` may instead be a nested spec: the Python API can do
 * that, and so can this action's repository-spec extension (a relative path to another spec file).
 */
export interface ImageSpec {
  values: Record<FieldName, PyValue>;
  /** A nested base spec; when set, `values.base_image` is `none` and the hash uses its image name. */
  baseSpec?: ImageSpec;
  /** Spec file path relative to the working directory (for errors and outputs); absent for API specs. */
  file?: string;
  /** Where each field's key was written in the file. */
  keyPos: Partial<Record<FieldName, Pos>>;
}

/** How `source_root` files are selected, as flytekit's `ls_files` decides. */
export type CopyMode =
  /** `LOADED_MODULES` (the default): in the `--image file.yaml` flow no module is loaded yet, so no files. */
  | 'loaded-modules'
  /** The enum `ALL` or any YAML string: every file, with the ignore rules. */
  | 'all'
  /** The enum `NO_COPY`: nothing copied, the raw path is hashed. */
  | 'no-copy';

/**
 * The typed view of a validated spec that the builder needs. Scalars are rendered with Python's
 * `str()`, because that is how flytekit's Dockerfile template renders them (`3.11` float → "3.11").
 */
export interface SpecView {
  name: string;
  /** Python `str()` of python_version, or undefined when unset (the builder then uses its default). */
  pythonVersion?: string;
  builder?: string;
  sourceRoot?: string;
  copyMode?: CopyMode;
  /** `PYTHONPATH=/root` is not included; the generator adds it first, as flytekit does. */
  env: Array<[string, string]>;
  registry?: string;
  packages: string[];
  condaPackages: string[];
  condaChannels: string[];
  requirements?: string;
  aptPackages: string[];
  cuda?: string;
  cudnn?: string;
  /** The FROM image: the string, or the nested spec's full image name. */
  baseImage?: string;
  platform: string;
  pipIndex?: string;
  pipExtraIndexUrl: string[];
  pipExtraArgs?: string;
  /** undefined = unset (keep the base image's); [] = remove it. */
  entrypoint?: string[];
  commands: string[];
  copy: string[];
  pythonExec?: string;
  runtimePackages: string[];
  /** `builder_config` string entries the default builder reads (`uv_image`, `micromamba_image`). */
  uvImage?: string;
  micromambaImage?: string;
}
