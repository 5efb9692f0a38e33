import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { renderDockerfile } from '../../src/docker/dockerfile';
import {
  CACHE_MOUNTS,
  exportDockerfile,
  extractScript,
  mountIdsUsed,
  MOUNTS_ARCHIVE,
  NONCE_ARG,
  restoreDockerfile,
} from '../../src/cachemounts/mounts';
import type { CacheMountId } from '../../src/cachemounts/table';
import { options, view } from '../docker/fixtures';

/** Every kind of install the generator writes: plain uv, uv.lock, poetry, conda, apt. */
const dockerfiles = [
  renderDockerfile(view({ packages: ['pyyaml'], pythonExec: '/usr/local/bin/python' }), options()),
  renderDockerfile(view({ requirements: 'uv.lock' }), options({ pyprojectPresent: true })),
  renderDockerfile(view({ requirements: 'poetry.lock' }), options({ pyprojectPresent: true })),
  renderDockerfile(view({ condaPackages: ['numpy'], aptPackages: ['git'] }), options()),
];

test('the table names every cache mount the Dockerfile generator writes, with its target', () => {
  const written = new Map<string, string>();
  for (const df of dockerfiles) {
    for (const m of df.matchAll(/--mount=type=cache,([^\s]+)/g)) {
      const attrs = Object.fromEntries(m[1].split(',').map((kv) => kv.split('=')));
      written.set(attrs.id, attrs.target);
      // The copy builds mount with exactly these options; another sharing mode is another directory.
      expect(attrs).toMatchObject({ sharing: 'locked', mode: '0777' });
    }
  }
  expect(Object.fromEntries(written)).toEqual(CACHE_MOUNTS);
});

test('mountIdsUsed lists the ids of the given Dockerfiles in table order', () => {
  expect(mountIdsUsed([dockerfiles[0]])).toEqual(['uv']);
  expect(mountIdsUsed([dockerfiles[3], dockerfiles[2]])).toEqual(['uv', 'apt', 'micromamba', 'poetry']);
  expect(mountIdsUsed(['FROM scratch\n'])).toEqual([]);
});

test('the copy Dockerfiles mount each id like the generator and take a nonce so their RUNs always run', () => {
  const restore = restoreDockerfile(['uv', 'apt']);
  expect(restore).toContain(`ARG ${NONCE_ARG}`);
  // One RUN mounts every id and the archive, the context's only file.
  const runs = restore.split('\n').filter((l) => l.startsWith('RUN '));
  expect(runs).toHaveLength(1);
  expect(runs[0]).toContain(
    'RUN --mount=type=cache,sharing=locked,mode=0777,target=/cache-mount/uv,id=uv --mount=type=cache,sharing=locked,mode=0777,target=/cache-mount/apt,id=apt ' +
      `--mount=type=bind,source=${MOUNTS_ARCHIVE},target=/restore/${MOUNTS_ARCHIVE} `,
  );
  expect(runs[0]).toContain(extractScript(['uv', 'apt'], `/restore/${MOUNTS_ARCHIVE}`, '/cache-mount'));
  const exp = exportDockerfile(['micromamba']);
  expect(exp).toMatch(
    /ARG IMAGESPEC_COPY_NONCE\nRUN --mount=type=cache,sharing=locked,mode=0777,target=\/cache-mount\/micromamba,id=micromamba mkdir -p \/export\/micromamba/,
  );
  expect(exp.trim().split('\n').slice(-2)).toEqual(['FROM scratch', 'COPY --from=mounts /export/ /']);
});

describe('extractScript, run by sh with GNU tar as in the copy image', () => {
  const ALL = Object.keys(CACHE_MOUNTS) as CacheMountId[];
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mounts-extract-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** An archive laid out like the export build's: one top-level directory per id it holds. */
  function archiveOf(tops: readonly string[]): string {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(src);
    for (const top of tops) {
      fs.mkdirSync(path.join(src, top, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(src, top, 'sub', 'file'), top);
    }
    const archive = path.join(tmp, MOUNTS_ARCHIVE);
    execFileSync('tar', ['-cf', archive, '-C', src, '--files-from=/dev/null', ...tops]);
    return archive;
  }

  /** Runs the script into `<tmp>/root`, where only the wanted ids exist (as the mounts do). */
  function extract(ids: readonly CacheMountId[], archive: string): { status: number | null; files: string[] } {
    const root = path.join(tmp, 'root');
    for (const id of ids) fs.mkdirSync(path.join(root, id), { recursive: true });
    const r = spawnSync('sh', ['-c', extractScript(ids, archive, root, path.join(tmp, 'list'))], { encoding: 'utf8' });
    const files = fs.existsSync(root)
      ? (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).sort()
      : [];
    return { status: r.status, files };
  }

  test('every id the archive holds and the restore wants is extracted, and only those', () => {
    const ids = fc.uniqueArray(fc.constantFrom(...ALL), { maxLength: ALL.length });
    fc.assert(
      fc.property(ids, ids, fc.boolean(), (held, wanted, stranger) => {
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.mkdirSync(tmp);
        const archive = archiveOf(stranger ? [...held, 'stranger'] : held);
        const { status, files } = extract(wanted, archive);
        expect(status).toBe(0);
        const expected = wanted.flatMap((id) => (held.includes(id) ? [id, `${id}/sub`, `${id}/sub/file`] : [id]));
        expect(files).toEqual(expected.sort());
        for (const id of wanted.filter((i) => held.includes(i)))
          expect(fs.readFileSync(path.join(tmp, 'root', id, 'sub', 'file'), 'utf8')).toBe(id);
      }),
      { numRuns: 25 },
    );
  });

  test('an archive that is not one fails the script (a warning upstream), writing nothing', () => {
    const archive = path.join(tmp, MOUNTS_ARCHIVE);
    fs.writeFileSync(archive, 'not a tar archive\n'.repeat(100));
    const { status, files } = extract(['uv'], archive);
    expect(status).not.toBe(0);
    expect(files).toEqual(['uv']);
  });

  test('members that climb out of an id or point out of it through a symlink land nowhere outside the root', () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'uv'), { recursive: true });
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(src, 'uv', 'link'));
    fs.mkdirSync(path.join(tmp, 'outside'));
    const archive = path.join(tmp, MOUNTS_ARCHIVE);
    execFileSync('tar', ['-cf', archive, '-C', src, 'uv']);
    // Members appended under hostile names (-P keeps `..` and absolute names as written).
    const append = (name: string, as: string): void => {
      fs.writeFileSync(path.join(tmp, name), name);
      execFileSync('tar', ['-rf', archive, '-P', '-C', tmp, name, '--transform', `s,^${name}$,${as},`]);
      fs.rmSync(path.join(tmp, name));
    };
    append('escaped', 'uv/../../escaped');
    append('absolute', `${tmp}/absolute`);
    append('through', 'uv/link/through');
    expect(execFileSync('tar', ['-tPf', archive], { encoding: 'utf8' }).split('\n')).toEqual(
      expect.arrayContaining(['uv/../../escaped', `${tmp}/absolute`, 'uv/link/through']),
    );
    extract(['uv'], archive); // its status does not matter: the restore only warns
    expect(fs.existsSync(path.join(tmp, 'escaped'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'absolute'))).toBe(false);
    expect(fs.readdirSync(path.join(tmp, 'outside'))).toEqual([]);
  });
});
