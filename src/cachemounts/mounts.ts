/**
 * BuildKit cache mounts (`RUN --mount=type=cache`) live inside the builder, so an ephemeral runner
 * loses them with the machine. To keep them, their contents are carried in and out of the builder
 * as one tar archive by two small builds: one exports the mounts as a tar stream to a file that
 * `@actions/cache` saves, the other extracts that file into the mounts. The contents never land on
 * the host or in a build context as loose files: a uv cache is tens of thousands of them, and a
 * build context of that many small files took BuildKit longer to upload than the downloads it saved.
 * This module is the pure part: which mounts the generated Dockerfiles use, the two Dockerfiles,
 * and the cache keys.
 */
import objectHash from 'object-hash';
import { specView } from '../imagespec/view';
import type { PreparedContext } from '../docker/context';
import { CACHE_MOUNTS, cacheMountFlag, type CacheMountId } from './table';

export { CACHE_MOUNTS };

/**
 * A small public image with `sh`, `cp` and GNU tar for the copy builds. It only moves files between
 * the context, the mounts and the output; nothing of it reaches an image.
 */
export const COPY_IMAGE = 'docker.io/library/debian:bookworm-slim';

/** The cache mount ids a set of rendered Dockerfiles use, in a fixed order. */
export function mountIdsUsed(dockerfiles: readonly string[]): CacheMountId[] {
  const used = new Set<string>();
  for (const text of dockerfiles) {
    for (const m of text.matchAll(/--mount=type=cache,[^\s]*?\bid=([A-Za-z0-9_-]+)/g)) used.add(m[1]);
  }
  return (Object.keys(CACHE_MOUNTS) as CacheMountId[]).filter((id) => used.has(id));
}

/**
 * Each copy build gets a fresh value of this build argument, so its RUNs always execute (a cached
 * RUN would copy nothing). Not `--no-cache`: BuildKit then hands the RUNs fresh, empty cache mounts.
 */
export const NONCE_ARG = 'IMAGESPEC_COPY_NONCE';

/** The one file the saved cache entry holds, and the restore build's only context: the exported tar. */
export const MOUNTS_ARCHIVE = 'mounts.tar';

/**
 * The shell command that extracts `archive` into `<root>/<id>` for each of `ids` the archive holds.
 * The archive's top-level directories are the ids (see exportDockerfile). It may come from another
 * set of images (a restore key matches any) and so lack some ids or hold others: only the ids
 * listed in it and wanted here are named to tar, so a missing id costs nothing and nothing outside
 * the wanted ids is written. GNU tar refuses `..` members and defers symlinks that point outside
 * the extraction directory. The ids come from the closed table, so they need no quoting.
 */
export function extractScript(ids: readonly CacheMountId[], archive: string, root: string, listing = '/tmp/mounts.list'): string {
  return [
    'set -e',
    `tar -tf ${archive} > ${listing}`,
    'set --',
    `for id in ${ids.join(' ')}; do if grep -q "^$id/" ${listing}; then set -- "$@" "$id"; fi; done`,
    'echo "cache mounts in the archive: $*"',
    `if [ $# -gt 0 ]; then tar -xf ${archive} -C ${root} "$@"; fi`,
  ].join('; ');
}

/** Extracts the restored archive (the build context's only file) into each mount, in one RUN. */
export function restoreDockerfile(ids: readonly CacheMountId[], image = COPY_IMAGE): string {
  const mounts = ids.map((id) => cacheMountFlag(id, `/cache-mount/${id}`)).join(' ');
  const archive = `/restore/${MOUNTS_ARCHIVE}`;
  const bind = `--mount=type=bind,source=${MOUNTS_ARCHIVE},target=${archive}`;
  return [`FROM ${image}`, `ARG ${NONCE_ARG}`, `RUN ${mounts} ${bind} ${extractScript(ids, archive, '/cache-mount')}`].join('\n') + '\n';
}

/** Copies each mount to `/<id>/` of a scratch stage, for `--output type=tar` (the archive's layout). */
export function exportDockerfile(ids: readonly CacheMountId[], image = COPY_IMAGE): string {
  const lines = [`FROM ${image} AS mounts`, `ARG ${NONCE_ARG}`];
  for (const id of ids) {
    lines.push(`RUN ${cacheMountFlag(id, `/cache-mount/${id}`)} mkdir -p /export/${id} && cp -a /cache-mount/${id}/. /export/${id}/`);
  }
  lines.push('FROM scratch', 'COPY --from=mounts /export/ /');
  return lines.join('\n') + '\n';
}

export interface MountCacheKeys {
  key: string;
  restoreKeys: string[];
}

/** What decides what the install steps download; everything else about a spec leaves the mounts alone. */
function installInputs(ctx: PreparedContext, fileHash: (absPath: string) => string): object {
  const v = specView(ctx.image.spec);
  const lockFiles = ctx.files
    .filter((f) => /^(requirements_uv\.txt|uv\.lock|poetry\.lock|pyproject\.toml)$/.test(f.dest))
    .map((f) => [f.dest, f.content ?? (f.src ? fileHash(f.src) : '')]);
  return {
    platform: v.platform,
    python: v.pythonVersion ?? null,
    packages: v.packages,
    conda: [v.condaPackages, v.condaChannels],
    apt: v.aptPackages,
    index: [v.pipIndex ?? null, v.pipExtraIndexUrl, v.pipExtraArgs ?? null],
    lockFiles,
  };
}

/**
 * `imagespec-mounts-v2-<arch>-<which images>-<their install inputs>`. A run after a one-line
 * requirements change misses the exact key and restores the newest entry of the same images (the
 * first restore key), then of any images (the second), so only the changed packages download.
 * The save then stores the grown mounts under the new key. v2: an entry holds one tar archive
 * (MOUNTS_ARCHIVE); a v1 entry held the unpacked directories, which the restore no longer reads.
 */
export function mountCacheKeys(contexts: readonly PreparedContext[], arch: string, fileHash: (absPath: string) => string): MountCacheKeys {
  const keys = contexts.map((c) => c.image.key).sort();
  const inputs = [...contexts].sort((a, b) => (a.image.key < b.image.key ? -1 : 1)).map((c) => installInputs(c, fileHash));
  const which = objectHash(keys, { algorithm: 'sha1' }).slice(0, 12);
  const what = objectHash(inputs, { algorithm: 'sha1' }).slice(0, 16);
  const prefix = `imagespec-mounts-v2-${arch}-`;
  return { key: `${prefix}${which}-${what}`, restoreKeys: [`${prefix}${which}-`, prefix] };
}
