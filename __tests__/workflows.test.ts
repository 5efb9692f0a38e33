/**
 * The workflows users copy and the repository's own CI use the action as it is: only inputs that
 * exist (with values the action accepts), every required input, only outputs that exist; every
 * other action pinned by commit SHA; explicit, least-privilege permissions.
 *
 * Source of truth: the files in `examples/workflows/`. README.md shows the main ones verbatim and
 * docs/workflows.md the others (a test below fails when a file and its copy differ), and every other
 * ```yaml block of those documents that has a `jobs:` key is checked as well, like
 * `.github/workflows/*.yml`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { readInputs } from '../src/action/inputs';
import { matrixOutput } from '../src/action/outputs';
import { REPO_ROOT } from './support/runner';

interface ActionSpec {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const ACTION: ActionSpec = parseDocument(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')).toJS() as ActionSpec;

/** The fields of one `matrix` entry, as the action writes them. */
const MATRIX_FIELDS = Object.keys(
  (
    JSON.parse(
      matrixOutput(
        [{ key: 'k', file: 'k.yaml', name: 'n', tag: 't', image: 'r/n:t', id: 'i', status: 'missing', origin: 'yaml' }],
        () => true,
      ).matrix,
    ) as {
      include: Obj[];
    }
  ).include[0],
);

/** A step or job `uses:` that means this action: the published name users write, or the checkout. */
const isThisAction = (uses: string): boolean => /^acme\/imagespec-action@[\w.-]+$/.test(uses) || uses === './';

const PINNED = /^[\w.-]+\/[\w.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;

/** Strings anywhere below `v` (keys excluded), so expressions in `if:`, `env:`, `run:`, `with:` are all seen. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (isObj(v)) return Object.values(v).flatMap(strings);
  return [];
}

function refs(text: string, re: RegExp): Array<[string, string]> {
  return [...text.matchAll(re)].map((m) => [m[1], m[2] ?? m[3]]);
}
const STEP_OUTPUT = /\bsteps\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[['"]([^'"]+)['"]\])/g;
const NEEDS_REF = /\bneeds\.([A-Za-z_][\w-]*)\.(outputs|result)\b(?:\.([A-Za-z_][\w-]*)|\[['"]([^'"]+)['"]\])?/g;
const MATRIX_REF = /\bmatrix\.([A-Za-z_][\w-]*)/g;
const INPUT_REF = /\b(?:github\.event\.)?inputs\.([A-Za-z_][\w-]*)/g;

/** What the action would make of a step's `with:`: an input error, or nothing. Expressions take the default. */
function inputError(withs: Obj): string | undefined {
  const get = (name: string): string => {
    const v = withs[name];
    const literal = v !== undefined && !String(v).includes('${{');
    if (literal) return String(v).trim();
    if (v !== undefined && ACTION.inputs[name]?.default === undefined) return 'set-by-an-expression';
    return String(ACTION.inputs[name]?.default ?? '').trim();
  };
  try {
    readInputs(get, { GITHUB_WORKSPACE: '/github/workspace' }, '/github/workspace');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The problems of one workflow (or documentation fragment), as sentences; empty when it is fine.
 * `fragment`: an excerpt in the documentation that may leave out `on:`.
 */
export function checkWorkflow(text: string, opts: { fragment?: boolean } = {}): string[] {
  const problems: string[] = [];
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return doc.errors.map((e) => `invalid YAML: ${e.message}`);
  const wf = doc.toJS() as unknown;
  if (!isObj(wf) || !isObj(wf.jobs)) return ['no jobs: mapping'];
  if (!opts.fragment && wf.on === undefined) problems.push('no on: trigger');
  const jobs = wf.jobs;

  // Triggers' declared inputs (workflow_dispatch, workflow_call).
  const on = isObj(wf.on) ? wf.on : {};
  const declaredInputs = new Set(
    ['workflow_dispatch', 'workflow_call'].flatMap((t) =>
      isObj(on[t]) && isObj((on[t] as Obj).inputs) ? Object.keys((on[t] as Obj).inputs as Obj) : [],
    ),
  );

  const checkPermissions = (where: string, p: unknown) => {
    if (p === 'write-all') problems.push(`${where}: permissions: write-all`);
    if (isObj(p)) {
      for (const [scope, level] of Object.entries(p)) {
        if (level === 'write' && scope !== 'packages')
          problems.push(`${where}: permissions: ${scope}: write (only packages may be written)`);
      }
    }
  };
  if (wf.permissions !== undefined) checkPermissions('workflow', wf.permissions);

  // Which job outputs carry which of this action's outputs, for needs.<job>.outputs and matrices.
  const jobOutputOf = (jobId: string, name: string): { declared: boolean; actionOutput?: string } => {
    const job = jobs[jobId];
    if (!isObj(job) || !isObj(job.outputs) || !(name in job.outputs)) return { declared: false };
    const steps = Array.isArray(job.steps) ? (job.steps as Obj[]) : [];
    for (const [stepId, out] of refs(String(job.outputs[name]), STEP_OUTPUT)) {
      const step = steps.find((s) => isObj(s) && s.id === stepId);
      if (step && typeof step.uses === 'string' && isThisAction(step.uses)) return { declared: true, actionOutput: out };
    }
    return { declared: true };
  };

  for (const [jobId, job] of Object.entries(jobs)) {
    const where = `job ${jobId}`;
    if (!isObj(job)) {
      problems.push(`${where}: not a mapping`);
      continue;
    }
    if (job.permissions !== undefined) checkPermissions(where, job.permissions);
    else if (wf.permissions === undefined) problems.push(`${where}: no permissions (neither the workflow's nor the job's)`);

    const needs = new Set(job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)]);
    for (const n of needs) if (!(n in jobs)) problems.push(`${where}: needs unknown job ${n}`);

    if (typeof job.uses === 'string') {
      // A reusable workflow: local, or pinned like an action.
      if (!job.uses.startsWith('./') && !PINNED.test(job.uses)) problems.push(`${where}: uses ${job.uses} is not pinned by a commit SHA`);
    } else {
      if (job['runs-on'] === undefined) problems.push(`${where}: no runs-on`);
      if (!Array.isArray(job.steps) || job.steps.length === 0) problems.push(`${where}: no steps`);
    }
    const steps = Array.isArray(job.steps) ? (job.steps as unknown[]) : [];
    const stepById = new Map<string, Obj>();
    for (const s of steps) if (isObj(s) && typeof s.id === 'string') stepById.set(s.id, s);

    steps.forEach((s, i) => {
      const at = `${where}, step ${i + 1}${isObj(s) && s.name ? ` (${String(s.name)})` : ''}`;
      if (!isObj(s)) {
        problems.push(`${at}: not a mapping`);
        return;
      }
      if ((s.uses === undefined) === (s.run === undefined)) problems.push(`${at}: needs exactly one of uses: and run:`);
      if (typeof s.uses !== 'string') return;
      if (isThisAction(s.uses)) {
        const withs = isObj(s.with) ? s.with : {};
        for (const k of Object.keys(withs)) if (!(k in ACTION.inputs)) problems.push(`${at}: with: ${k} is not an input of action.yml`);
        for (const [k, spec] of Object.entries(ACTION.inputs)) {
          if (spec.required && withs[k] === undefined) problems.push(`${at}: required input ${k} is not set`);
        }
        const err = inputError(withs);
        if (err) problems.push(`${at}: the action would refuse its inputs: ${err}`);
      } else if (s.uses.startsWith('docker://')) {
        if (!/@sha256:[0-9a-f]{64}$/.test(s.uses)) problems.push(`${at}: ${s.uses} is not pinned by digest`);
      } else if (!s.uses.startsWith('./') && !PINNED.test(s.uses)) {
        problems.push(`${at}: uses ${s.uses} is not pinned by a 40-hex commit SHA`);
      }
    });

    // Expressions anywhere in the job, job outputs included.
    const text = strings(job).join('\n');
    for (const [stepId, out] of refs(text, STEP_OUTPUT)) {
      const step = stepById.get(stepId);
      if (!step) problems.push(`${where}: steps.${stepId} names no step of the job`);
      else if (typeof step.uses === 'string' && isThisAction(step.uses) && !(out in ACTION.outputs)) {
        problems.push(`${where}: steps.${stepId}.outputs.${out} is not an output of action.yml`);
      }
    }
    for (const m of text.matchAll(NEEDS_REF)) {
      const [other, kind, out] = [m[1], m[2], m[3] ?? m[4]];
      if (!needs.has(other)) problems.push(`${where}: refers to needs.${other} but does not need it`);
      else if (kind === 'outputs' && out !== undefined) {
        const o = jobOutputOf(other, out);
        if (!o.declared) problems.push(`${where}: needs.${other}.outputs.${out} is not an output of job ${other}`);
      }
    }
    // A matrix fed by this action's matrix output has exactly the action's fields.
    const strategy = isObj(job.strategy) ? job.strategy : {};
    if (typeof strategy.matrix === 'string') {
      const fed = [...strategy.matrix.matchAll(NEEDS_REF)].map((m) =>
        (m[3] ?? m[4]) ? jobOutputOf(m[1], m[3] ?? m[4]).actionOutput : undefined,
      );
      if (fed.includes('matrix')) {
        for (const [field] of refs(text, MATRIX_REF)) {
          if (!MATRIX_FIELDS.includes(field))
            problems.push(`${where}: matrix.${field} is not a field of the action's matrix output (${MATRIX_FIELDS.join(', ')})`);
        }
        const cond = String(job.if ?? '');
        if (!/include/.test(cond))
          problems.push(`${where}: a matrix from the action's matrix output needs an if: that skips an empty include`);
      }
    }
    for (const [name] of refs(text, INPUT_REF)) {
      if (!declaredInputs.has(name)) problems.push(`${where}: inputs.${name} is not a declared workflow input`);
    }
  }

  // One version comment per pinned commit, and a comment on every pin.
  for (const line of text.split('\n')) {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+@[0-9a-f]{40})\s*(#.*)?$/.exec(line);
    if (m && !/^#\s*v\d+(\.\d+)*\s*$/.test(m[2] ?? '')) problems.push(`${m[1]}: pinned without a '# vX.Y.Z' comment`);
  }
  return problems;
}

function pins(text: string): Array<[string, string]> {
  return [...text.matchAll(/uses:\s*(\S+@[0-9a-f]{40})\s*#\s*(v[\d.]+)/g)].map((m) => [m[1], m[2]]);
}

// ---------------------------------------------------------------------------------------------

const yamlBlocks = (doc: string): string[] =>
  [...fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8').matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
/** Where the documentation shows workflows: the README the main ones, docs/workflows.md the others. */
const SHOWN_IN: Record<string, string[]> = {
  'README.md': ['push-main.yml', 'pull-request.yml', 'fan-out.yml'],
  'docs/workflows.md': ['force-rebuild.yml', 'remote-builder.yml'],
  'docs/python.md': ['python-project.yml'],
  'docs/flyte2.md': ['flyte2-project.yml'],
};
const docBlocks = Object.keys(SHOWN_IN).flatMap(yamlBlocks);
const exampleDir = path.join(REPO_ROOT, 'examples', 'workflows');
const ciDir = path.join(REPO_ROOT, '.github', 'workflows');
const ymls = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
const files = [...ymls(exampleDir), ...ymls(ciDir)];
const rel = (f: string) => path.relative(REPO_ROOT, f);

test('there are example workflows and CI workflows to check', () => {
  expect(ymls(exampleDir).map((f) => path.basename(f))).toEqual(
    expect.arrayContaining(['fan-out.yml', 'force-rebuild.yml', 'pull-request.yml', 'push-main.yml', 'remote-builder.yml']),
  );
  expect(ymls(ciDir).length).toBeGreaterThan(0);
});

test.each(files.map((f) => [rel(f), f]))('%s uses the action as action.yml declares it', (_name, file) => {
  expect(checkWorkflow(fs.readFileSync(file, 'utf8'))).toEqual([]);
});

test('every documented yaml block with jobs: uses the action as action.yml declares it', () => {
  const withJobs = docBlocks.filter((b) => /^jobs:/m.test(b));
  expect(withJobs.length).toBeGreaterThan(ymls(exampleDir).length);
  for (const [i, block] of withJobs.entries()) {
    expect({ block: i, problems: checkWorkflow(block, { fragment: true }) }).toEqual({ block: i, problems: [] });
  }
});

test('every example workflow has its place in the documentation', () => {
  expect(ymls(exampleDir).map((f) => path.basename(f))).toEqual(Object.values(SHOWN_IN).flat().sort());
});

test.each(Object.entries(SHOWN_IN).flatMap(([doc, examples]) => examples.map((e) => [doc, e])))('%s shows %s verbatim', (doc, example) => {
  const text = fs.readFileSync(path.join(exampleDir, example), 'utf8');
  expect(yamlBlocks(doc)).toContain(text);
});

test('each pinned action has one commit per version comment everywhere', () => {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const text of [...files.map((f) => fs.readFileSync(f, 'utf8')), ...docBlocks]) {
    for (const [ref, version] of pins(text)) {
      const action = ref.split('@')[0];
      const key = `${action} ${version}`;
      if (seen.has(key) && seen.get(key) !== ref) problems.push(`${key}: ${seen.get(key)} and ${ref}`);
      seen.set(key, ref);
      if (seen.has(ref) && seen.get(ref) !== version) problems.push(`${ref}: commented ${seen.get(ref)} and ${version}`);
      seen.set(ref, version);
    }
  }
  expect(problems).toEqual([]);
});

// --- the checker catches drift ----------------------------------------------------------------

const good = `
on: push
permissions:
  contents: read
jobs:
  plan:
    runs-on: ubuntu-24.04
    outputs:
      matrix: \${{ steps.images.outputs.matrix }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: images
        uses: acme/imagespec-action@v1
        with:
          specs: images/*.yaml
          mode: check
  build:
    needs: plan
    if: fromJSON(needs.plan.outputs.matrix).include[0] != null
    runs-on: ubuntu-24.04
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
      - uses: acme/imagespec-action@v1
        with:
          specs: images/*.yaml
          only: \${{ matrix.key }}
`;

test('the checker accepts a correct workflow', () => {
  expect(checkWorkflow(good)).toEqual([]);
});

test.each([
  [
    'an unknown input',
    (w: string) => w.replace('mode: check', 'mode: check\n          no-such-input: x'),
    /with: no-such-input is not an input of action.yml/,
  ],
  [
    'a value the action refuses',
    (w: string) => w.replace('mode: check', 'mode: verify'),
    /would refuse its inputs: input 'mode' must be one of/,
  ],
  [
    'a missing specs input',
    (w: string) => w.replace('specs: images/*.yaml\n          mode: check', 'mode: check'),
    /input 'specs' is required/,
  ],
  [
    'an output that does not exist',
    (w: string) => w.replace('steps.images.outputs.matrix', 'steps.images.outputs.matrices'),
    /steps.images.outputs.matrices is not an output/,
  ],
  [
    'a step id that does not exist',
    (w: string) => w.replace('steps.images.outputs.matrix', 'steps.imgs.outputs.matrix'),
    /steps.imgs names no step/,
  ],
  [
    'a job output that does not exist',
    (w: string) => w.replace('if: fromJSON(needs.plan.outputs.matrix)', 'if: fromJSON(needs.plan.outputs.matrx)'),
    /needs.plan.outputs.matrx is not an output of job plan/,
  ],
  ['a needs reference without needs', (w: string) => w.replace('    needs: plan\n', ''), /refers to needs.plan but does not need it/],
  ['a matrix field the action does not write', (w: string) => w.replace('matrix.key', 'matrix.name'), /matrix.name is not a field/],
  ['a matrix job that runs on an empty include', (w: string) => w.replace(/ {4}if: .*\n/, ''), /needs an if: that skips an empty include/],
  [
    'an action pinned by tag',
    (w: string) => w.replace('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2', 'actions/checkout@v4'),
    /actions\/checkout@v4 is not pinned/,
  ],
  ['a pin without its version comment', (w: string) => w.replace(' # v4.2.2', ''), /pinned without a '# vX.Y.Z' comment/],
  ['write-all permissions', (w: string) => w.replace('permissions:\n  contents: read', 'permissions: write-all'), /permissions: write-all/],
  ['a write scope other than packages', (w: string) => w.replace('contents: read', 'contents: write'), /contents: write/],
  ['no permissions at all', (w: string) => w.replace('permissions:\n  contents: read\n', ''), /no permissions/],
  [
    'an undeclared workflow input',
    (w: string) => w.replace('only: ${{ matrix.key }}', 'force: ${{ inputs.force }}'),
    /inputs.force is not a declared workflow input/,
  ],
  [
    'invalid YAML',
    (w: string) => w.replace('    runs-on: ubuntu-24.04\n    outputs', '    runs-on: ubuntu-24.04\n    runs-on: ubuntu-22.04\n    outputs'),
    /invalid YAML/,
  ],
])('the checker reports %s', (_what, mutate, expected) => {
  const bad = mutate(good);
  expect(bad).not.toBe(good);
  expect(checkWorkflow(bad).join('\n')).toMatch(expected);
});

test('the verbatim check fails when an example file and its documented copy differ', () => {
  const text = fs.readFileSync(path.join(exampleDir, 'push-main.yml'), 'utf8');
  expect(docBlocks).not.toContain(text.replace('cache: gha', 'cache: none'));
});
