/**
 * The README's first command: run the bundled action on examples/ exactly as the GitHub runner
 * would (through the same runner stand-in the tests use), and show what it reported: first the
 * ImageSpecs (YAML and the Python project, with flytekit's interpreter), then the Flyte 2 project
 * (examples/flyte2, with the flyte SDK's interpreter: the two SDKs do not share a virtualenv).
 */
import * as path from 'node:path';
import { REPO_ROOT, runStep, StepResult } from '../__tests__/support/runner';

function show(title: string, r: StepResult): void {
  console.log(`\n=== ${title} ===`);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  console.log('\n--- outputs (as later steps see them) ---');
  for (const [k, v] of Object.entries(r.outputs)) console.log(`${k}: ${k === 'images' ? JSON.stringify(JSON.parse(v), null, 2) : v}`);
  console.log('\n--- job summary ---');
  console.log(r.summary);
  console.log(
    `step ${r.exitCode === 0 ? 'succeeded' : `failed (exit ${r.exitCode})`} in ${r.durationMs} ms; bundle: ${path.join('dist', 'index.js')}`,
  );
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'plan';
  const env = { ...process.env } as Record<string, string>;
  const specs = await runStep({
    workspace: REPO_ROOT,
    with: { specs: '*.yaml\npython/workflows/*.py', 'working-directory': 'examples', mode },
    env,
  });
  show('ImageSpecs: examples/*.yaml and examples/python', specs);
  const flyte2 = await runStep({
    workspace: REPO_ROOT,
    with: { flyte2: 'flows', python: env.IMAGESPEC_FLYTE2_PYTHON ?? '', 'working-directory': 'examples/flyte2', mode },
    env,
  });
  show('Flyte 2: examples/flyte2', flyte2);
  process.exitCode = specs.exitCode || flyte2.exitCode;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
