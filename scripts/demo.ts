/**
 * The README's first command: run the bundled action on examples/ exactly as the GitHub runner
 * would (through the same runner stand-in the tests use), and show what it reported.
 */
import * as path from 'node:path';
import { REPO_ROOT, runStep } from '../__tests__/support/runner';

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'plan';
  const r = await runStep({
    workspace: REPO_ROOT,
    with: { specs: '*.yaml\npython/workflows/*.py', 'working-directory': 'examples', mode },
    env: { ...process.env } as Record<string, string>,
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  console.log('\n--- outputs (as later steps see them) ---');
  for (const [k, v] of Object.entries(r.outputs)) console.log(`${k}: ${k === 'images' ? JSON.stringify(JSON.parse(v), null, 2) : v}`);
  console.log('\n--- job summary ---');
  console.log(r.summary);
  console.log(
    `step ${r.exitCode === 0 ? 'succeeded' : `failed (exit ${r.exitCode})`} in ${r.durationMs} ms; bundle: ${path.join('dist', 'index.js')}`,
  );
  process.exitCode = r.exitCode;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
