/**
 * NODE_EXTRA_CA_CERTS as Node reads it: set when the process starts, not passed in by the caller.
 * src/registry is transpiled (TypeScript's own transpiler) into a temporary directory and run in a
 * child process against the real HTTPS registry.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { b64, dockerConfig, FIXTURE_TAGS as T, REPO_ROOT, Registries, startRegistries, tempDir } from './support/infra';

let R: Registries;
let outDir: string;

beforeAll(() => {
  R = startRegistries();
  outDir = tempDir('registry-js');
  // src/registry and the src/ modules it imports, in the same layout.
  for (const dir of ['registry', 'util']) {
    const srcDir = path.join(REPO_ROOT, 'src', dir);
    fs.mkdirSync(path.join(outDir, dir));
    for (const f of fs.readdirSync(srcDir).filter((n) => n.endsWith('.ts'))) {
      const out = ts.transpileModule(fs.readFileSync(path.join(srcDir, f), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: f,
      });
      fs.writeFileSync(path.join(outDir, dir, f.replace(/\.ts$/, '.js')), out.outputText);
    }
  }
  fs.writeFileSync(
    path.join(outDir, 'main.js'),
    `const { checkImages } = require('./registry/index.js');
checkImages(process.argv.slice(2), { retry: { maxAttempts: 1 } }).then((r) => process.stdout.write(JSON.stringify(r)));`,
  );
});

function runChild(
  env: Record<string, string>,
  refs: string[],
): Promise<Array<{ ref: string; result: { status: string; reason?: string } }>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(outDir, 'main.js'), ...refs], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`child failed: ${err.message} ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

test('a CA trusted through NODE_EXTRA_CA_CERTS at process start is honoured', async () => {
  const cfg = dockerConfig({ auths: { [R.tls]: { auth: b64(`${R.user}:${R.password}`) } } });
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('home'), DOCKER_CONFIG: cfg };
  const refs = [`${R.tls}/${R.repo}:${T.ociManifest}`, `${R.tls}/${R.repo}:absent`];

  const trusted = await runChild({ ...base, NODE_EXTRA_CA_CERTS: R.tlsCa }, refs);
  expect(trusted.map((r) => r.result.status)).toEqual(['exists', 'missing']);

  const untrusted = await runChild(base, refs);
  expect(untrusted.map((r) => r.result.status)).toEqual(['unknown', 'unknown']);
  expect(untrusted[0].result.reason).toMatch(new RegExp(`^TLS error from https://${R.tls}: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE`));
});
