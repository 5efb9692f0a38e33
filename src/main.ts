import * as core from '@actions/core';
import { InputError, SpecError } from './errors';
import { readInputs } from './action/inputs';
import { baseOutputs, ImageRecord, Outputs } from './action/outputs';
import { summaryMarkdown } from './action/summary';
import { annotateErrors } from './action/report';
import { findSpecFiles } from './discover/specFiles';
import { planImages, PlannedImage } from './plan/plan';
import { fsDigests } from './tag/fsDigests';

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

  if (inputs.mode !== 'plan') {
    throw new InputError(`mode '${inputs.mode}' is not implemented yet; use mode: plan`, 'mode');
  }
  const records = plan.images.map((p) => record(p, 'planned'));
  for (const r of records) core.info(`${r.key}: ${r.image} (${r.status})`);
  setOutputs(baseOutputs(records));
  await writeSummary(summaryMarkdown('ImageSpec images (plan)', records));
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
