/**
 * The argv for `docker buildx build`, assembled like docker/build-push-action does (one flag and
 * one value per item, context last), but from this action's few inputs instead of free-form
 * buildx flags. Pure: no environment, no file system.
 */
import * as path from 'path';
import { InputError } from '../errors';
import { isRepository } from './sanitize';

export type CacheBackend = 'gha' | 'registry' | 'none';

export interface BuildxSecret {
  /** Secret id the Dockerfile mounts (`--mount=type=secret,id=<id>`). */
  id: string;
  /** Exactly one source: a file path, or the name of an environment variable of the buildx process. */
  src?: string;
  env?: string;
}

export interface BuildxOptions {
  /** `--builder <name>`; omitted when unset (buildx's current builder). */
  builder?: string;
  /** `--platform`, passed as is (a comma list builds a multi-platform image). */
  platform: string;
  /** The full image name, `--tag <image>`. */
  tag: string;
  /** `--push`. When false, the result is either kept only in the build cache or loaded. */
  push: boolean;
  /**
   * gzip level (0-9) of the layers this build compresses, for the pushed image and the layer cache;
   * BuildKit's own default (unset) is 6. Layers already compressed (the base image's) are reused.
   */
  compressionLevel?: number;
  /** Only when `push` is false: `--load` into the local image store instead of `--output type=cacheonly`. */
  load?: boolean;
  /**
   * Only when `push` is false: `--output <value>` instead of `type=cacheonly`, e.g.
   * `type=oci,dest=<dir>,tar=false` for a base image that later builds of the run start from.
   */
  output?: string;
  /** `--build-context <name>=<source>`: FROM <name> takes the image from <source> (`oci-layout://dir@digest`). */
  buildContexts?: Array<[string, string]>;
  /** `--metadata-file <path>`; buildx writes `containerimage.digest` etc. there. */
  metadataFile?: string;
  /**
   * `--provenance`. Default false, written `--provenance=false`: with attestations (buildx ≥ 0.10
   * adds them by default when pushing) the pushed tag becomes an image index with an attestation
   * manifest even for one platform, so registry existence checks, `docker inspect` of `_F_IMG_ID`
   * and digests differ from the plain image manifest flytekit's `docker build` pushes. A string is
   * passed through (`--provenance=mode=max`).
   */
  provenance?: boolean | string;
  secrets?: BuildxSecret[];
  /** `--build-arg KEY=VALUE`, in order. The generated Dockerfile declares no ARGs; for extensions. */
  buildArgs?: Array<[string, string]>;
  /**
   * Cache backend. `gha`: scope `<cacheKey>` in the GitHub Actions cache (its URL and token reach
   * buildx through the environment: ACTIONS_RESULTS_URL / ACTIONS_RUNTIME_TOKEN, not argv).
   * `registry`: `<cacheRef>:<cacheKey>`, one cache manifest per image key in the cache repository.
   */
  cache: CacheBackend;
  /** Required for `gha` and `registry`: the per-image cache key (e.g. the image name without tag). */
  cacheKey?: string;
  /** Required for `registry`: a repository without tag or digest, e.g. `ghcr.io/org/imagespec-cache`. */
  cacheRef?: string;
  /** The build context directory (holding the Dockerfile); the last argument. */
  contextDir: string;
  /** Defaults to `<contextDir>/Dockerfile`. */
  dockerfile?: string;
}

/**
 * One buildx CSV attribute list (`type=gha,scope=x`). buildx parses these values with a CSV
 * reader, so a value with a comma or quote would split into extra attributes; such fields are
 * CSV-quoted (`"scope=a,b"`, quotes doubled).
 */
export function csvAttrs(attrs: ReadonlyArray<readonly [string, string]>): string {
  return attrs
    .map(([k, v]) => {
      const field = `${k}=${v}`;
      return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
    })
    .join(',');
}

/**
 * Turns a cache key into a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) for the registry cache:
 * other characters (`/`, `:`, `@`) become `-`, and the result is cut to 128 characters.
 */
export function cacheTag(key: string): string {
  let t = key.replace(/[^A-Za-z0-9_.-]/g, '-');
  if (!/^[A-Za-z0-9_]/.test(t)) t = '_' + t;
  return t.slice(0, 128);
}

/**
 * `--cache-from`/`--cache-to` pairs. `mode=max` exports every stage's layers (the uv and micromamba
 * stages and all intermediate RUNs), and `ignore-error=true` keeps a cache-export failure (quota,
 * permissions on a fork's PR) from failing a build whose image was produced.
 */
export function cacheArgs(cache: CacheBackend, cacheKey?: string, cacheRef?: string, compressionLevel?: number): string[] {
  if (cache === 'none') return [];
  const compression = compressionLevel === undefined ? '' : `,${compressionAttrs(compressionLevel)}`;
  if (!cacheKey) throw new InputError(`cache '${cache}' needs a cache key`, 'cache');
  if (cache === 'gha') {
    return [
      '--cache-from',
      csvAttrs([
        ['type', 'gha'],
        ['scope', cacheKey],
      ]),
      '--cache-to',
      csvAttrs([
        ['type', 'gha'],
        ['scope', cacheKey],
        ['mode', 'max'],
        ['ignore-error', 'true'],
      ]) + compression,
    ];
  }
  if (!cacheRef || !isRepository(cacheRef)) {
    throw new InputError(
      `cache 'registry' needs a cache repository without tag or digest (e.g. ghcr.io/org/cache), got ${JSON.stringify(cacheRef ?? '')}`,
      'cache-ref',
    );
  }
  const ref = `${cacheRef}:${cacheTag(cacheKey)}`;
  return [
    '--cache-from',
    csvAttrs([
      ['type', 'registry'],
      ['ref', ref],
    ]),
    '--cache-to',
    // image-manifest + OCI media types: the cache is stored as an OCI image manifest, which
    // registries that reject buildx's cache-index media type (ECR, some Artifactory) accept.
    csvAttrs([
      ['type', 'registry'],
      ['ref', ref],
      ['mode', 'max'],
      ['image-manifest', 'true'],
      ['oci-mediatypes', 'true'],
      ['ignore-error', 'true'],
    ]) + compression,
  ];
}

/** Exporter attributes for gzip at `level`: fast levels cost a few percent of size and save most of the CPU time. */
function compressionAttrs(level: number): string {
  if (!Number.isInteger(level) || level < 0 || level > 9)
    throw new InputError(`compression level must be 0-9, got ${level}`, 'compression-level');
  return `compression=gzip,compression-level=${level}`;
}

/**
 * The arguments after `docker`: `['buildx', 'build', …, <context>]`. Run as
 * `exec('docker', buildxArgs(opts))`; a standalone `buildx` binary takes `.slice(1)`.
 */
export function buildxArgs(opts: BuildxOptions): string[] {
  const args = ['buildx', 'build'];
  if (opts.builder) args.push('--builder', opts.builder);
  args.push('--platform', opts.platform);
  args.push('--tag', opts.tag);
  const level = opts.compressionLevel;
  if (opts.push) args.push(...(level === undefined ? ['--push'] : ['--output', `type=registry,${compressionAttrs(level)}`]));
  else if (opts.output) args.push('--output', opts.output);
  else if (opts.load) args.push('--load');
  else args.push('--output', 'type=cacheonly');
  for (const [name, source] of opts.buildContexts ?? []) args.push('--build-context', `${name}=${source}`);
  if (opts.metadataFile) args.push('--metadata-file', opts.metadataFile);
  const provenance = opts.provenance ?? false;
  args.push(`--provenance=${provenance === true ? 'true' : provenance === false ? 'false' : provenance}`);
  for (const s of opts.secrets ?? []) {
    if ((s.src === undefined) === (s.env === undefined)) {
      throw new InputError(`secret '${s.id}' needs exactly one of src and env`, 'secrets');
    }
    const source: [string, string] = s.src !== undefined ? ['src', s.src] : ['env', s.env ?? ''];
    args.push('--secret', csvAttrs([['id', s.id], source]));
  }
  for (const [k, v] of opts.buildArgs ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new InputError(`invalid build-arg name ${JSON.stringify(k)}`, 'build-args');
    args.push('--build-arg', `${k}=${v}`);
  }
  args.push(...cacheArgs(opts.cache, opts.cacheKey, opts.cacheRef, level));
  args.push('--file', opts.dockerfile ?? path.join(opts.contextDir, 'Dockerfile'));
  // A context path starting with '-' would be parsed as an option.
  args.push(opts.contextDir.startsWith('-') ? `./${opts.contextDir}` : opts.contextDir);
  return args;
}
