/**
 * planImagesAsync hands images out early so registry checks overlap with reading specs; the plan
 * it returns must be exactly planImages', and nothing it hands out early may differ from the plan.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { findSpecFiles } from '../../src/discover/specFiles';
import { PlannedImage, planImages, planImagesAsync } from '../../src/plan/plan';
import { fsDigests } from '../../src/tag/fsDigests';
import { workspace } from '../support/fixtures';

async function both(files: Record<string, string>) {
  const ws = workspace(files, 'plan-async-');
  const specFiles = await findSpecFiles('*.yaml', ws);
  const opts = { cwd: ws, hostMachine: 'x86_64', digests: fsDigests(ws, ws) };
  const early: PlannedImage[] = [];
  const async = await planImagesAsync(specFiles, opts, (p) => early.push(p));
  // A fresh load: linking mutates the loaded specs.
  const sync = planImages(await findSpecFiles('*.yaml', ws), { ...opts, digests: fsDigests(ws, ws) });
  fs.rmSync(ws, { recursive: true, force: true });
  return { async, sync, early };
}

const summary = (r: { images: PlannedImage[]; errors: Array<{ describe(): string }> }) => ({
  images: r.images.map((p) => [p.key, p.image, p.id, p.baseKey ?? null]),
  errors: r.errors.map((e) => e.describe()),
});

test('the same plan as planImages; images without a repository base spec are handed out early, as planned', async () => {
  const files: Record<string, string> = {
    'base.yaml': 'name: base\nregistry: ghcr.io/acme\n',
    'app.yaml': 'name: app\nregistry: ghcr.io/acme\nbase_image: ./base.yaml\n',
    'noop.yaml': 'name: x\nbuilder: noop\nbase_image: ghcr.io/acme/prebuilt:1\n',
  };
  for (let i = 0; i < 20; i++)
    files[`svc${String(i).padStart(2, '0')}.yaml`] = `name: svc${i}\nregistry: ghcr.io/acme\npackages: [pkg${i}]\n`;
  const { async, sync, early } = await both(files);
  expect(summary(async)).toEqual(summary(sync));
  expect(async.images).toHaveLength(23);
  expect(early.map((p) => p.key).sort()).toEqual(
    async.images
      .map((p) => p.key)
      .filter((k) => k !== 'app')
      .sort(),
  );
  for (const p of early) expect(async.images).toContain(p);
});

test('with an invalid spec the plan has only errors, like planImages, whatever was handed out early', async () => {
  const { async, sync, early } = await both({
    'good.yaml': 'name: good\nregistry: ghcr.io/acme\n',
    'bad.yaml': 'name: bad\nregistry: ghcr.io/acme\nunknown_field: 1\n',
    'badtag.yaml': 'name: t\nregistry: ghcr.io/acme\ntag_format: "{nope}"\n',
  });
  expect(summary(async)).toEqual(summary(sync));
  expect(async.images).toEqual([]);
  expect(async.errors.length).toBeGreaterThan(0);
  expect(early.map((p) => p.key)).toEqual(['good']);
});

test('the event loop runs between files', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`s${String(i).padStart(2, '0')}.yaml`] = `name: s${i}\nregistry: ghcr.io/acme\n`;
  const ws = workspace(files, 'plan-async-');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const turns: number[] = [];
  await planImagesAsync(await findSpecFiles('*.yaml', ws), { cwd: ws, hostMachine: 'x86_64', digests: fsDigests(ws, ws) }, () => {
    turns.push(ticks);
  });
  clearInterval(timer);
  fs.rmSync(ws, { recursive: true, force: true });
  expect(new Set(turns).size).toBeGreaterThan(1);
});

test('source roots in a git work tree: git runs ahead, the tags are the ones planned without it', async () => {
  const files: Record<string, string> = { '.gitignore': '*.log\n' };
  for (let i = 0; i < 30; i++) {
    const n = String(i).padStart(2, '0');
    if (i % 3 === 0) {
      files[`s${n}.yaml`] = `name: s${i}\nregistry: ghcr.io/acme\nsource_root: src${n}\nsource_copy_mode: all\n`;
      files[`src${n}/a.py`] = `a = ${i}\n`;
      // Ignored by git in some roots only, so a mixed-up answer would change a tag.
      if (i % 2 === 0) files[`src${n}/debug.log`] = 'x\n';
      else files[`src${n}/kept.log.txt`] = 'y\n';
    } else {
      files[`s${n}.yaml`] = `name: s${i}\nregistry: ghcr.io/acme\n`;
    }
  }
  const ws = workspace(files, 'plan-async-git-');
  execFileSync('git', ['init', '-q', ws]);
  const digests = fsDigests(ws, ws);
  const prepared: string[] = [];
  const prepare = digests.prepare!;
  digests.prepare = (p, mode) => (prepared.push(p), prepare(p, mode));
  const async = await planImagesAsync(await findSpecFiles('*.yaml', ws), { cwd: ws, hostMachine: 'x86_64', digests }, () => undefined);
  const sync = planImages(await findSpecFiles('*.yaml', ws), { cwd: ws, hostMachine: 'x86_64', digests: fsDigests(ws, ws) });
  fs.rmSync(ws, { recursive: true, force: true });
  expect(prepared).toEqual(Array.from({ length: 10 }, (_, k) => `src${String(k * 3).padStart(2, '0')}`));
  expect(summary(async)).toEqual(summary(sync));
  expect(async.errors).toEqual([]);
});
