/**
 * Every BuildKit cache mount the generated Dockerfiles use, by id: the one table the Dockerfile
 * generator and the mount carry-over builds (./mounts.ts) both read. A copy build must mount the
 * same id with the same sharing mode, or BuildKit hands it a different directory.
 */
export const CACHE_MOUNTS = {
  uv: '/root/.cache/uv',
  apt: '/var/cache/apt',
  micromamba: '/opt/micromamba/pkgs',
  poetry: '/tmp/poetry_cache',
} as const satisfies Record<string, string>;

export type CacheMountId = keyof typeof CACHE_MOUNTS;

/** The `RUN --mount` flag for cache mount `id`, at its own target unless another is given. */
export function cacheMountFlag(id: CacheMountId, target: string = CACHE_MOUNTS[id]): string {
  return `--mount=type=cache,sharing=locked,mode=0777,target=${target},id=${id}`;
}
