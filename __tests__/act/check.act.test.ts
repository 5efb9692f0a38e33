/**
 * Check mode under nektos/act, on Node 20 and Node 24, against the local registries: an OCI index
 * (exists), an unpushed tag (missing), an image behind token auth (with the credentials a login
 * step leaves, and with an anonymous pull token), and the fail-on-missing gate. The workflow
 * asserts outputs and step outcomes itself (__tests__/act/workflows/check.yml); this test asserts
 * act's exit status, the steps' results, and that the password never reached the log.
 */
import { NodeMajor, runAct, stepResults } from '../support/act';
import { Registries, startRegistries } from '../registry/support/infra';

jest.setTimeout(5 * 60 * 1000);

let reg: Registries;
beforeAll(() => {
  reg = startRegistries();
});

describe.each<NodeMajor>([20, 24])('Node %i', (node) => {
  test('check: an index, a missing image, token auth with credentials and anonymously, the gate', async () => {
    const r = await runAct({
      workflow: 'check.yml',
      node,
      vars: { REGISTRY_PLAIN: reg.plain, REGISTRY_TOKEN: reg.token, FIXTURE_REPO: reg.repo, UNIQUE: `n${node}-${Date.now()}` },
      secrets: { REGISTRY_USER: reg.user, REGISTRY_PASSWORD: reg.password },
    });
    expect({ exit: r.exitCode, log: r.exitCode === 0 ? '' : r.log }).toEqual({ exit: 0, log: '' });
    // continue-on-error steps report their failure to act as well; every other step succeeded.
    const main = Object.entries(stepResults(r, 'check')).filter(([k]) => k.startsWith('Main '));
    expect(Object.fromEntries(main)).toEqual({
      'Main 0': 'success',
      'Main 1': 'success',
      'Main plan': 'success',
      'Main 3': 'success',
      'Main 4': 'success',
      'Main check': 'success',
      'Main 6': 'success',
      'Main anonymous': 'success',
      'Main 8': 'success',
      'Main gate': 'failure',
      'Main 10': 'success',
    });
    // The post step of each `uses: ./` ran and succeeded.
    expect(r.steps.filter((s) => s.stage === 'Post' && s.stepID !== '0').map((s) => [s.stepID, s.result])).toEqual([
      ['gate', 'success'],
      ['anonymous', 'success'],
      ['check', 'success'],
      ['plan', 'success'],
    ]);
    expect(r.printed('check', '6')).toContain('ok: matrix keys');
    expect(r.printed('check', '10')).toContain('ok: gate missing');
    expect(r.log).not.toContain(reg.password);
  });
});
