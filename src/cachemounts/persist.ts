/**
 * Carrying BuildKit cache mounts across runs through the GitHub Actions cache: restore before the
 * builds (main step), save after them (post step). The cache service, buildx and the log are
 * injected. Nothing here may fail a build: every problem becomes a warning and the builds go on
 * with whatever the mounts hold.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportDockerfile, MOUNTS_ARCHIVE, NONCE_ARG, restoreDockerfile } from './mounts';
import type { CacheMountId } from './table';

export interface CacheService {
  /** `@actions/cache` restoreCache: the matched key, or undefined on a miss. */
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  /** `@actions/cache` saveCache: the cache id, or -1 when nothing was saved. */
  save(paths: string[], key: string): Promise<number>;
}

export interface MountIo {
  cache: CacheService;
  /** Runs `docker <args>`, resolving to the exit code. */
  docker: (args: string[]) => Promise<number>;
  info: (msg: string) => void;
  warning: (msg: string) => void;
}

/** What main hands to post through the action's state. */
export interface MountState {
  /**
   * Directory `@actions/cache` archives, holding only MOUNTS_ARCHIVE; the same path in every run,
   * since it is part of the cache version.
   */
  dir: string;
  ids: CacheMountId[];
  key: string;
  /** The key restore matched; an exact hit on `key` means there is nothing new to save. */
  matchedKey?: string;
  builder?: string;
}

function copyBuild(state: MountState, dockerfile: string, contextDir: string, output: string): string[] {
  const file = path.join(path.dirname(state.dir), `${path.basename(state.dir)}.Dockerfile`);
  fs.writeFileSync(file, dockerfile);
  // The Dockerfile's own ignore file (it outranks one in the context): whatever else a restored
  // entry holds, the context sent to the builder is the archive alone.
  fs.writeFileSync(`${file}.dockerignore`, `*\n!${MOUNTS_ARCHIVE}\n`);
  return [
    'buildx',
    'build',
    ...(state.builder ? ['--builder', state.builder] : []),
    '--build-arg',
    `${NONCE_ARG}=${randomUUID()}`,
    '--progress=plain',
    '--provenance=false',
    '--output',
    output,
    '--file',
    file,
    contextDir,
  ];
}

/** Restores the saved mount contents into the builder. Returns the key that matched, if any. */
export async function restoreMounts(state: MountState, restoreKeys: string[], io: MountIo): Promise<string | undefined> {
  fs.rmSync(state.dir, { recursive: true, force: true });
  fs.mkdirSync(state.dir, { recursive: true });
  let matched: string | undefined;
  try {
    matched = await io.cache.restore([state.dir], state.key, restoreKeys);
  } catch (e) {
    io.warning(`cache mounts: restore failed, building without them: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  if (!matched) {
    io.info(`cache mounts: no saved contents for ${state.key} or its restore keys; the builds download everything`);
    return undefined;
  }
  const archive = path.join(state.dir, MOUNTS_ARCHIVE);
  if (!fs.existsSync(archive)) {
    io.warning(`cache mounts: ${matched} holds no ${MOUNTS_ARCHIVE}; the builds download everything`);
    return undefined;
  }
  try {
    // The context is state.dir, whose only file is the archive: one file to upload, not thousands.
    const code = await io.docker(copyBuild(state, restoreDockerfile(state.ids), state.dir, 'type=cacheonly'));
    if (code !== 0) {
      io.warning(`cache mounts: copying ${state.ids.join(', ')} into the builder failed (exit ${code}); the builds download everything`);
      return undefined;
    }
  } finally {
    fs.rmSync(archive, { force: true }); // the disk back for the builds
  }
  // Which of the ids the entry held is in the copy build's log; an id it lacked starts empty.
  io.info(`cache mounts: restored ${state.ids.join(', ')} from ${matched}`);
  return matched;
}

/** Copies the mounts out of the builder and saves them under `state.key` (post step). */
export async function saveMounts(state: MountState, io: MountIo): Promise<void> {
  if (state.matchedKey === state.key) {
    io.info(`cache mounts: ${state.key} was restored exactly; nothing new to save`);
    return;
  }
  fs.rmSync(state.dir, { recursive: true, force: true });
  fs.mkdirSync(state.dir, { recursive: true });
  const empty = fs.mkdtempSync(`${state.dir}-context-`);
  // One tar stream, written straight into the directory @actions/cache saves and never unpacked on
  // the host: buildx's local exporter (type=local) deadlocks on many small files (moby/buildkit#2950,
  // #4453), and a uv cache is thousands of them; under nektos/act the post step hung for good at
  // "exporting to client directory".
  const archive = path.join(state.dir, MOUNTS_ARCHIVE);
  try {
    const code = await io.docker(copyBuild(state, exportDockerfile(state.ids), empty, `type=tar,dest=${archive}`));
    if (code !== 0) {
      io.warning(`cache mounts: copying them out of the builder failed (exit ${code}); not saved`);
      return;
    }
    // -1: the cache client already said why (service down or full, key taken by a parallel job)
    // but only as an info line for most causes; a lost cache deserves a warning.
    const id = await io.cache.save([state.dir], state.key);
    if (id === -1) io.warning(`cache mounts: not saved as ${state.key}; the next run starts from an older entry or none`);
    else io.info(`cache mounts: saved ${state.ids.join(', ')} as ${state.key}`);
  } catch (e) {
    io.warning(`cache mounts: not saved: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
    fs.rmSync(state.dir, { recursive: true, force: true });
  }
}
