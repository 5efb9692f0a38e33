import * as core from './action/core';
import { InputError, SpecError } from './errors';
import { checkSecretSources, Inputs, readInputs } from './action/inputs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  baseOutputs,
  checkOutputs,
  flyte2DeployArgs,
  flyte2Record,
  flytekitConfig,
  imageArgsProblem,
  leftOutOfImageArgs,
  ImageRecord,
  matrixOutput,
  notBuiltRecord,
  Outputs,
  record,
} from './action/outputs';
import { needsBuild } from './action/decide';
import { selectOnly } from './plan/select';
import { summaryMarkdown } from './action/summary';
import { annotateErrors, annotateWarnings, annotationProps } from './action/report';
import type { RegistryChecks } from './action/checkMode';
import { findSpecFiles, SpecFile } from './discover/specFiles';
import { planImagesAsync } from './plan/plan';
import { duplicateKeys } from './plan/keys';
import { planPythonImages } from './plan/python';
import { Flyte2PlanOptions, Flyte2Planned, planFlyte2 } from './plan/flyte2';
import type { PlannedImage } from './plan/plan';
import { fsDigests } from './tag/fsDigests';

function setOutputs(outputs: Outputs): void {
  for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
}

/** Outside a runner (local use) there is no summary file; that is not an error. */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}

export async function run(): Promise<void> {
  const inputs = readInputs((n) => core.getInputIfGiven(n), process.env, process.cwd());
  if (inputs.mode === 'build') checkSecretSources(inputs.pipSecretMounts, inputs.workingDirectory);
  const files = inputs.specs ? await findSpecFiles(inputs.specs, inputs.workingDirectory) : [];
  core.info(`Found ${files.length} ImageSpec file(s) and module(s): ${files.map((f) => f.rel).join(', ')}`);

  // The registry client and the build code load only in the modes that use them: start-up time is
  // paid on every run (bench/cold-start.mjs).
  const checks = inputs.mode === 'plan' ? undefined : new (await import('./action/checkMode')).RegistryChecks(inputs);
  try {
    await planCheckBuild(inputs, files, checks);
  } finally {
    // Idle keep-alive sockets (or checks of a plan that failed) must not hold the process open.
    checks?.close();
  }
}

async function planCheckBuild(inputs: Inputs, files: SpecFile[], checks: RegistryChecks | undefined): Promise<void> {
  // Each registry check starts as soon as its tag is known, overlapping the round trips with reading
  // the other specs. With `only`, just the named images: their base specs are known at the end.
  const named = new Set(inputs.only);
  const digests = fsDigests(inputs.workingDirectory, inputs.workspace);
  // The SDK's interpreter runs while the ImageSpecs are read; its checks start as soon as it answers.
  const flyte2Options: Flyte2PlanOptions = {
    python: inputs.python,
    cwd: inputs.workingDirectory,
    lines: inputs.flyte2,
    rootDir: inputs.flyte2RootDir,
    copyStyle: inputs.flyte2CopyStyle,
    env: process.env,
  };
  const flyte2Planning = settled(
    planFlyte2(flyte2Options).then((f2) => {
      if (f2.errors.length === 0) checks?.startFlyte2(f2.images.filter((p) => named.size === 0 || named.has(p.key)));
      return f2;
    }),
  );
  const plan = await planImagesAsync(
    files.filter((f) => f.kind === 'yaml'),
    { cwd: inputs.workingDirectory, hostMachine: inputs.hostMachine, digests },
    (p) => {
      if (named.size === 0 || named.has(p.key)) checks?.start(p);
    },
  );
  const py = await planPythonImages(
    files.filter((f) => f.kind === 'python').map((f) => f.rel),
    {
      cwd: inputs.workingDirectory,
      hostMachine: inputs.hostMachine,
      digests,
      env: process.env,
      python: inputs.python || undefined,
      registration: inputs.registration,
    },
  );
  const f2 = await flyte2Planning();
  plan.errors.push(...py.errors, ...f2.errors, ...duplicateKeys([...plan.images, ...py.images, ...f2.images]));
  plan.images.push(...py.images);
  if (plan.errors.length > 0) {
    annotateErrors(plan.errors, inputs.workingDirectory, inputs.workspace);
    await writeSummary(
      summaryMarkdown(
        'ImageSpec images',
        [],
        plan.errors.map((e) => e.describe()),
      ),
    );
    core.setFailed(`${plan.errors.length} ImageSpec error(s); nothing was built or pushed`);
    return;
  }
  annotateWarnings(plan.warnings, inputs.workingDirectory, inputs.workspace);

  const selected = selectOnly<PlannedImage | Flyte2Planned>([...plan.images, ...f2.images], inputs.only);
  const images = selected.filter((p): p is PlannedImage => p.origin !== 'flyte2');
  const flyte2 = selected.filter((p): p is Flyte2Planned => p.origin === 'flyte2');
  const { records, failures } = checks
    ? await checks.finish(images, flyte2)
    : {
        records: [
          ...images.map((p) => (p.notBuilt ? notBuiltRecord(p, p.notBuilt) : record(p, 'planned'))),
          ...flyte2.map((p) => flyte2Record(p, p.notBuilt ? p.notBuilt.status : 'planned')),
        ],
        failures: [],
      };
  // What the registry said, before any build changes a status.
  const notOurs = new Set(selected.filter((p) => p.notBuilt).map((p) => p.key));
  const registryOutputs = {
    ...(inputs.mode === 'plan' ? {} : checkOutputs(records)),
    ...matrixOutput(records, (r) => (inputs.mode === 'plan' ? !notOurs.has(r.key) : needsBuild(notOurs.has(r.key), r.status, inputs))),
  };

  const checkFailed = failures.length > 0;
  if (inputs.mode === 'build' && !checkFailed) {
    const { runBuilds } = await import('./action/builds');
    const built = await runBuilds(inputs, images, flyte2, records, flyte2Options);
    if (built.errors.length > 0) {
      annotateErrors(built.errors, inputs.workingDirectory, inputs.workspace);
      await writeSummary(
        summaryMarkdown(
          'ImageSpec images',
          records,
          built.errors.map((e) => e.describe()),
        ),
      );
      core.setFailed(`${built.errors.length} ImageSpec error(s); nothing was built or pushed`);
      return;
    }
    for (const r of records) if (r.status === 'failed' || r.status === 'cancelled') failures.push(r.key);
  }
  for (const r of records) core.info(`${r.key}: ${r.image} (${r.status}${r.reason ? `: ${r.reason}` : ''})`);
  for (const r of leftOutOfImageArgs(records)) {
    core.warning(`${r.key} is left out of image-args: ${imageArgsProblem(r)}`, {
      title: 'Not in image-args',
      file: annotationProps({ file: r.file }, inputs.workingDirectory, inputs.workspace).file,
      startLine: r.line,
    });
  }
  // Outputs and the summary are written even when the step fails, so later steps and people can see why.
  setOutputs({
    ...baseOutputs(records),
    'flytekit-config': writeFlytekitConfig(records),
    'flyte2-deploy-args': flyte2DeployArgs(inputs),
    ...registryOutputs,
    ...(inputs.mode === 'build' ? { built: JSON.stringify(records.filter((r) => r.status === 'built').map((r) => r.image)) } : {}),
  });
  await writeSummary(summaryMarkdown(`ImageSpec images (${inputs.mode})`, records));
  if (failures.length > 0)
    core.setFailed(`${checkFailed ? 'the registry check failed' : 'not every image was built'}: ${failures.join(', ')}`);
}

/** A promise whose rejection is held until it is awaited: the caller awaits it after other work. */
function settled<T>(p: Promise<T>): () => Promise<T> {
  const held = p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return async () => {
    const r = await held;
    if (r.ok) return r.value;
    throw r.error;
  };
}

/** The flytekit config file for `pyflyte --config`, in the runner's temp folder (the working directory outside a runner). */
function writeFlytekitConfig(records: ImageRecord[]): string {
  const dir = process.env.RUNNER_TEMP || os.tmpdir();
  const file = path.join(dir, `imagespec-flytekit-config-${process.pid}.yaml`);
  fs.writeFileSync(file, flytekitConfig(records));
  return file;
}

/**
 * Turn any failure into a failed step with one annotation, never a stack trace in the log: an
 * unexpected error's message can hold repository text (a file name), and a stack trace is no use
 * to the user. The stack goes to the debug log, which the runner shows only when asked.
 */
export function fail(e: unknown): void {
  if (e instanceof SpecError) {
    core.setFailed(e.describe());
  } else if (e instanceof InputError) {
    core.setFailed(e.message.startsWith(`input '`) ? e.message : `input '${e.input}': ${e.message}`);
  } else {
    if (e instanceof Error && e.stack && core.isDebug()) core.debug(e.stack);
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    core.setFailed(`unexpected error, the step stopped: ${message}`);
  }
}
