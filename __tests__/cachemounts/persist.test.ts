/**
 * restoreMounts and saveMounts with an injected cache service and docker: which builds run, with
 * which context and output, what reaches the cache, and that every fault is a warning.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MOUNTS_ARCHIVE } from '../../src/cachemounts/mounts';
import { MountIo, MountState, restoreMounts, saveMounts } from '../../src/cachemounts/persist';

interface Recorded {
  io: MountIo;
  builds: { args: string[]; dockerfile: string; ignore: string; context: string[] }[];
  saved: { paths: string[]; files: string[] }[];
  infos: string[];
  warnings: string[];
}

/** `restore` plays a cache hit on `hit` (writing `entry` into the directory); docker exits `exit`. */
function fakeIo(
  o: { hit?: string; entry?: Record<string, string>; exit?: number; saveId?: number; restoreThrows?: boolean } = {},
): Recorded {
  const r: Recorded = { builds: [], saved: [], infos: [], warnings: [], io: undefined as unknown as MountIo };
  r.io = {
    cache: {
      restore: async (paths) => {
        if (o.restoreThrows) throw new Error('service down');
        if (!o.hit) return undefined;
        for (const [name, content] of Object.entries(o.entry ?? {})) fs.writeFileSync(path.join(paths[0], name), content);
        return o.hit;
      },
      save: async (paths) => {
        r.saved.push({ paths, files: fs.readdirSync(paths[0]) });
        return o.saveId ?? 7;
      },
    },
    docker: async (args) => {
      const file = args[args.indexOf('--file') + 1];
      const context = args[args.length - 1];
      const output = args[args.indexOf('--output') + 1];
      const dest = /^type=tar,dest=(.*)$/.exec(output)?.[1];
      if (dest) fs.writeFileSync(dest, 'tar stream');
      r.builds.push({
        args,
        dockerfile: fs.readFileSync(file, 'utf8'),
        ignore: fs.readFileSync(`${file}.dockerignore`, 'utf8'),
        context: fs.readdirSync(context),
      });
      return o.exit ?? 0;
    },
    info: (m) => r.infos.push(m),
    warning: (m) => r.warnings.push(m),
  };
  return r;
}

let tmp: string;
let state: MountState;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mounts-persist-'));
  state = { dir: path.join(tmp, 'imagespec-cache-mounts'), ids: ['uv', 'apt'], key: 'imagespec-mounts-v2-x64-a-b', builder: 'b1' };
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const arg = (args: string[], flag: string): string => args[args.indexOf(flag) + 1];

test('restore: the copy build gets the archive as its whole context, every id in one RUN, a fresh nonce and the builder', async () => {
  const r = fakeIo({ hit: 'imagespec-mounts-v2-x64-a-', entry: { [MOUNTS_ARCHIVE]: 'tar' } });
  const a = await restoreMounts(state, ['imagespec-mounts-v2-x64-a-'], r.io);
  const b = await restoreMounts(state, ['imagespec-mounts-v2-x64-a-'], r.io);
  expect([a, b]).toEqual(['imagespec-mounts-v2-x64-a-', 'imagespec-mounts-v2-x64-a-']);
  expect(r.builds).toHaveLength(2);
  const [first, second] = r.builds;
  expect(first.context).toEqual([MOUNTS_ARCHIVE]);
  expect(first.args[first.args.length - 1]).toBe(state.dir);
  expect(first.ignore).toBe(`*\n!${MOUNTS_ARCHIVE}\n`);
  expect(arg(first.args, '--builder')).toBe('b1');
  expect(arg(first.args, '--output')).toBe('type=cacheonly');
  expect(arg(first.args, '--build-arg')).not.toBe(arg(second.args, '--build-arg'));
  expect(first.dockerfile.split('\n').filter((l) => l.startsWith('RUN '))).toHaveLength(1);
  expect(first.dockerfile).toMatch(/id=uv .*id=apt .*source=mounts\.tar/);
  expect(r.warnings).toEqual([]);
  expect(r.infos).toContain('cache mounts: restored uv, apt from imagespec-mounts-v2-x64-a-');
  expect(fs.existsSync(path.join(state.dir, MOUNTS_ARCHIVE))).toBe(false); // disk back for the builds
});

test('restore: a miss, a service fault, an entry without the archive and a failed copy build each leave the mounts alone', async () => {
  const miss = fakeIo();
  expect(await restoreMounts(state, [], miss.io)).toBeUndefined();
  expect(miss.builds).toEqual([]);
  expect(miss.infos.join('\n')).toMatch(/no saved contents/);

  const down = fakeIo({ restoreThrows: true });
  expect(await restoreMounts(state, [], down.io)).toBeUndefined();
  expect(down.warnings.join('\n')).toMatch(/restore failed, building without them: service down/);

  const old = fakeIo({ hit: state.key, entry: { uv: 'a v1 layout' } });
  expect(await restoreMounts(state, [], old.io)).toBeUndefined();
  expect(old.builds).toEqual([]);
  expect(old.warnings.join('\n')).toMatch(/holds no mounts\.tar/);

  const broken = fakeIo({ hit: state.key, entry: { [MOUNTS_ARCHIVE]: 'tar' }, exit: 1 });
  expect(await restoreMounts(state, [], broken.io)).toBeUndefined(); // so the post step saves a good copy
  expect(broken.warnings.join('\n')).toMatch(/copying uv, apt into the builder failed \(exit 1\)/);
});

test('save: the export build writes its tar stream into the saved directory, which holds nothing else', async () => {
  fs.mkdirSync(state.dir);
  fs.writeFileSync(path.join(state.dir, 'leftover'), 'x');
  const r = fakeIo();
  await saveMounts(state, r.io);
  expect(r.builds).toHaveLength(1);
  expect(arg(r.builds[0].args, '--output')).toBe(`type=tar,dest=${path.join(state.dir, MOUNTS_ARCHIVE)}`);
  expect(r.builds[0].context).toEqual([]);
  expect(r.saved).toEqual([{ paths: [state.dir], files: [MOUNTS_ARCHIVE] }]);
  expect(r.infos).toContain(`cache mounts: saved uv, apt as ${state.key}`);
  expect(r.warnings).toEqual([]);
  expect(fs.readdirSync(tmp).filter((f) => f.startsWith('imagespec-cache-mounts') && !f.includes('Dockerfile'))).toEqual([]);
});

test('save: an exact hit saves nothing; a failed export or a refused save is a warning', async () => {
  const exact = fakeIo();
  await saveMounts({ ...state, matchedKey: state.key }, exact.io);
  expect(exact.builds).toEqual([]);
  expect(exact.saved).toEqual([]);

  const failed = fakeIo({ exit: 2 });
  await saveMounts(state, failed.io);
  expect(failed.saved).toEqual([]);
  expect(failed.warnings.join('\n')).toMatch(/copying them out of the builder failed \(exit 2\); not saved/);

  const refused = fakeIo({ saveId: -1 });
  await saveMounts(state, refused.io);
  expect(refused.warnings.join('\n')).toMatch(/not saved as imagespec-mounts-v2-/);
});
