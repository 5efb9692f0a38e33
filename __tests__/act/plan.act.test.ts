/**
 * Plan mode under nektos/act, on Node 20 and Node 24: outputs read with fromJSON in later steps
 * and jobs, a matrix fan-out from the `matrix` output, and the post step. The workflow asserts
 * the values itself (__tests__/act/workflows/plan-fanout.yml); this test asserts act's exit status,
 * each job's and step's result, and that the outputs act saw equal the runner stand-in's.
 */
import * as path from 'node:path';
import { ActRun, NodeMajor, nodeBinary, runAct } from '../support/act';
import { imagesOf, REPO_ROOT, runStep } from '../support/runner';

jest.setTimeout(5 * 60 * 1000);

const failed = (r: ActRun) => `act exited ${r.exitCode}:\n${r.log.split('\n').slice(-80).join('\n')}`;

describe.each<NodeMajor>([20, 24])('Node %i', (node) => {
  test('plan: outputs through fromJSON in steps and jobs, matrix fan-out, post step', async () => {
    const stand = await runStep({ workspace: path.join(REPO_ROOT, 'examples'), with: { specs: '*.yaml', mode: 'plan' } });
    const byKey = Object.fromEntries(imagesOf(stand).map((i) => [i.key, i]));
    const r = await runAct({
      workflow: 'plan-fanout.yml',
      node,
      vars: { EXPECT_APP: byKey.app.image, EXPECT_BASE: byKey.base.image, EXPECT_BASE_ID: byKey.base.id },
    });
    expect({ exit: r.exitCode, failedSteps: r.steps.filter((s) => s.result === 'failure') }).toEqual({ exit: 0, failedSteps: [] });
    if (r.exitCode !== 0) throw new Error(failed(r));

    // Every job ran, the matrix job once per image, and each succeeded.
    expect(r.jobs.map((j) => [j.jobID, j.matrix.key ?? null, j.result]).sort()).toEqual([
      ['after', null, 'success'],
      ['fan-out', 'app', 'success'],
      ['fan-out', 'base', 'success'],
      ['plan', null, 'success'],
    ]);
    // The assertion steps ran (a skipped one would prove nothing).
    const ran = (job: string, id: string) =>
      r.steps.filter((s) => s.jobID === job && s.stepID === id && s.stage === 'Main').map((s) => s.result);
    expect(ran('plan', '2')).toEqual(['success']);
    expect(ran('plan', '3')).toEqual(['success']);
    expect(ran('fan-out', '2')).toEqual(['success', 'success']);
    expect(ran('after', '1')).toEqual(['success']);
    expect(r.printed('plan', '2')).toContain('ok: image-args');

    // What act read from the action equals what the stand-in read.
    const out = r.outputs('plan', 'images');
    for (const name of ['images', 'image-map', 'image-args', 'matrix'])
      expect({ name, value: out[name] }).toEqual({ name, value: stand.outputs[name] });

    // The bundle ran on the chosen Node: main and post of each of the three `uses: ./` steps.
    expect(r.nodes).toEqual(Array(6).fill(nodeBinary(node)));
    expect(r.steps.filter((s) => s.stage === 'Post' && s.stepID !== '0').map((s) => [s.jobID, s.result])).toEqual([
      ['plan', 'success'],
      ['fan-out', 'success'],
      ['fan-out', 'success'],
    ]);
  });
});
