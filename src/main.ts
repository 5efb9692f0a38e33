import * as core from '@actions/core';
import { InputError, SpecError } from './errors';
import { Inputs, readInputs } from './action/inputs';
import { baseOutputs, checkOutputs, ImageRecord, Outputs } from './action/outputs';
import { summaryMarkdown } from './action/summary';
import { annotateErrors, annotateWarnings, annotationProps } from './action/report';
import { decide } from './action/decide';
import { findSpecFiles } from './discover/specFiles';
import { planImages, PlannedImage } from './plan/plan';
import { fieldWhere } from './spec/postInit';
import { fsDigests } from './tag/fsDigests';
import { checkImages } from './registry';
import * as exec from '@actions/exec';
import { buildMissing, buildOrder, prepareAll } from './action/buildMode';

function record(p: PlannedImage, status: string): ImageRecord {
  return {
    key: p.file.key,
    file: p.file.rel,
    name: p.spec.values.name.kind === 'str' ? p.spec.values.name.value : '',
    tag: p.tag.tag,
    image: p.image,
    id: p.id,
    status,
  };
}

function setOutputs(outputs: Outputs): void {
  for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
}

/** Outside a runner (local use) there is no summary file; that is not an error. */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}

/** Ask the registries about every image that a builder would produce; noop images are someone else's. */
async function check(inputs: Inputs, images: PlannedImage[]): Promise<{ records: ImageRecord[]; failures: string[] }> {
  const checked = images.filter((p) => !p.noop);
  const results = await checkImages(
    checked.map((p) => ({ ref: p.image, platforms: p.spec.values.platform.kind === 'str' ? p.spec.values.platform.value : undefined })),
    {
      concurrency: inputs.concurrency,
      insecureRegistries: inputs.insecureRegistries,
      setSecret: (s) => core.setSecret(s),
      log: (line) => core.debug(line),
    },
  );
  const failures: string[] = [];
  const records = images.map((p) => {
    if (p.noop) return { ...record(p, 'skipped'), reason: 'builder: noop uses base_image as it is' };
    const d = decide(results[checked.indexOf(p)].result, inputs.onUnknown);
    const r: ImageRecord = { ...record(p, d.status), reason: d.reason, digest: d.digest };
    const at = annotationProps(new SpecError('', fieldWhere(p.spec, 'name')), inputs.workingDirectory, inputs.workspace);
    if (d.fatal) {
      core.error(`${p.image}: cannot tell whether the image exists: ${d.reason}`, { ...at, title: 'Registry check failed' });
      failures.push(p.file.key);
    } else if (d.status === 'unknown') {
      core.warning(`${p.image}: cannot tell whether the image exists (${d.reason}); on-unknown: ${inputs.onUnknown}`, at);
    }
    if (d.status === 'missing' && inputs.failOnMissing && inputs.mode === 'check') {
      core.error(`${p.image} is not in the registry`, { ...at, title: 'Image missing' });
      failures.push(p.file.key);
    }
    return r;
  });
  return { records, failures: [...new Set(failures)] };
}

export async function run(): Promise<void> {
  const inputs = readInputs((n) => core.getInput(n), process.env, process.cwd());
  const files = await findSpecFiles(inputs.specs, inputs.workingDirectory);
  core.info(`Found ${files.length} ImageSpec file(s): ${files.map((f) => f.rel).join(', ')}`);

  const plan = planImages(files, {
    cwd: inputs.workingDirectory,
    hostMachine: inputs.hostMachine,
    digests: fsDigests(inputs.workingDirectory, inputs.workspace),
  });
  if (plan.errors.length > 0) {
    annotateErrors(plan.errors, inputs.workingDirectory, inputs.workspace);
    await writeSummary(summaryMarkdown('ImageSpec images', [], plan.errors.map((e) => e.describe())));
    core.setFailed(`${plan.errors.length} ImageSpec error(s); nothing was checked, built or pushed`);
    return;
  }
  annotateWarnings(plan.warnings, inputs.workingDirectory, inputs.workspace);

  const { records, failures } =
    inputs.mode === 'plan' ? { records: plan.images.map((p) => record(p, 'planned')), failures: [] } : await check(inputs, plan.images);
  // What the registry said, before any build changes a status.
  const registryOutputs = inputs.mode === 'plan' ? {} : checkOutputs(records);

  const checkFailed = failures.length > 0;
  if (inputs.mode === 'build' && !checkFailed) {
    const needsBuild = (p: PlannedImage, r: ImageRecord) =>
      !p.noop && (inputs.force || r.status === 'missing' || (r.status === 'unknown' && inputs.onUnknown === 'build'));
    const needed = new Set(plan.images.filter((p, i) => needsBuild(p, records[i])).map((p) => p.file.key));
    const opts = {
      cwd: inputs.workingDirectory,
      repoRoot: inputs.workspace,
      defaultPythonVersion: inputs.pythonVersion,
      flytekitVersion: inputs.flytekitVersion,
      secretMounts: inputs.pipSecretMounts.map((m, i) => ({ id: `secret_${i}`, target: m.target })),
      force: inputs.force,
      failFast: inputs.failFast,
      settings: {
        builder: inputs.builder || undefined,
        push: inputs.push,
        cache: inputs.cache,
        cacheRef: inputs.cacheRef || undefined,
        secrets: inputs.pipSecretMounts.map((m, i) => ({ id: `secret_${i}`, src: m.src })),
      },
      exec: (cmd: string, args: string[]) => exec.exec(cmd, args, { ignoreReturnCode: true }),
      tmpRoot: process.env.RUNNER_TEMP || undefined,
      annotationFile: (p: PlannedImage) => annotationProps(new SpecError('', { file: p.file.rel }), inputs.workingDirectory, inputs.workspace).file ?? p.file.rel,
    };
    const prepared = prepareAll(plan.images, needed, opts);
    if (prepared.errors.length > 0) {
      annotateErrors(prepared.errors, inputs.workingDirectory, inputs.workspace);
      await writeSummary(summaryMarkdown('ImageSpec images', records, prepared.errors.map((e) => e.describe())));
      core.setFailed(`${prepared.errors.length} ImageSpec error(s); nothing was built or pushed`);
      return;
    }
    const byKey = new Map(records.map((r) => [r.key, r]));
    await buildMissing(buildOrder(plan.images), byKey, prepared.contexts, opts);
    for (const r of records) if (r.status === 'failed' || r.status === 'cancelled') failures.push(r.key);
  }
  for (const r of records) core.info(`${r.key}: ${r.image} (${r.status}${r.reason ? `: ${r.reason}` : ''})`);
  // Outputs and the summary are written even when the step fails, so later steps and people can see why.
  setOutputs({
    ...baseOutputs(records),
    ...registryOutputs,
    ...(inputs.mode === 'build' ? { built: JSON.stringify(records.filter((r) => r.status === 'built').map((r) => r.image)) } : {}),
  });
  await writeSummary(summaryMarkdown(`ImageSpec images (${inputs.mode})`, records));
  if (failures.length > 0) core.setFailed(`${checkFailed ? 'the registry check failed' : 'not every image was built'}: ${failures.join(', ')}`);
}

/** Turn any failure into a failed step with a useful message, never a stack trace for user errors. */
export function fail(e: unknown): void {
  if (e instanceof SpecError) {
    core.setFailed(e.describe());
  } else if (e instanceof InputError) {
    core.setFailed(e.message.startsWith(`input '`) ? e.message : `input '${e.input}': ${e.message}`);
  } else {
    core.setFailed(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}
