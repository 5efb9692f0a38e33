/**
 * A hostile registry that echoes the credentials it was sent back in its error bodies, driven
 * through the bundled action: the password, the Basic value and issued tokens appear in no log
 * line, output, summary or annotation (the library-level cases are in registry/secrets.test.ts;
 * this checks every channel the runner shows).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { b64, dockerConfig, FaultProxy, Registries, startProxy, startRegistries } from '../registry/support/infra';
import { runStep, StepResult } from '../support/runner';

let R: Registries;
let echo: FaultProxy;
beforeAll(async () => {
  R = startRegistries();
  echo = await startProxy(R.plain);
});
afterAll(async () => {
  await echo?.stop();
});

/** Everything the runner would show or hand on: log lines (but not the masking commands), outputs, summary, annotations. */
function shown(r: StepResult): string {
  const log = (t: string) =>
    t
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
  return [
    log(r.stdout),
    log(r.stderr),
    JSON.stringify(r.outputs),
    r.summary,
    JSON.stringify(r.annotations),
    JSON.stringify(r.env),
    JSON.stringify(r.state),
  ].join('\n');
}

function expectNowhere(r: StepResult, secrets: string[]): void {
  const text = shown(r);
  for (const s of secrets) expect(text.includes(s) ? `leaked: ${s}` : 'clean').toBe('clean');
}

async function check(user: string, password: string, extra: Record<string, string> = {}): Promise<StepResult> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cred-'));
  fs.writeFileSync(path.join(ws, 'app.yaml'), `name: app\nregistry: ${echo.hostport}/x\n`);
  fs.writeFileSync(path.join(ws, 'refused.yaml'), `name: refused\nregistry: ${echo.hostport}/y\n`);
  const cfg = dockerConfig({ auths: { [echo.hostport]: { auth: b64(`${user}:${password}`) } } });
  // With debug logging on, every request is logged too: the most there is to leak through.
  const r = await runStep({
    workspace: ws,
    with: { specs: '*.yaml', mode: 'check', ...extra },
    env: { DOCKER_CONFIG: cfg, RUNNER_DEBUG: '1' },
  });
  expect(r.stdout).toMatch(/^::debug::GET http/m);
  return r;
}

const echoBody = '{"errors":[{"code":"DENIED","message":"you sent {{authorization}} = {{authorization.decoded}}"}]}';

test('Basic auth: echoed headers, decoded or not, never reach logs, outputs, summary or annotations', async () => {
  const user = 'echo-user';
  const password = `pw'"$(x)\`${crypto.randomBytes(6).toString('hex')}`;
  await echo.setRules([
    { path: '^/v2/$', action: 'respond', status: 401, headers: { 'www-authenticate': 'Basic realm="echo"' } },
    { path: '/manifests/', method: 'GET', action: 'respond', status: 400, body: echoBody },
    { path: '/manifests/', method: 'HEAD', action: 'respond', status: 400 },
  ]);
  for (const onUnknown of ['fail', 'skip']) {
    const r = await check(user, password, { 'on-unknown': onUnknown });
    expect(r.exitCode).toBe(onUnknown === 'fail' ? 1 : 0);
    // The echo did arrive, redacted: the reason quotes the body with *** in place of the secret.
    expect(shown(r)).toContain(`${user}:***`);
    expect(r.masks).toEqual(expect.arrayContaining([password, b64(`${user}:${password}`)]));
    expectNowhere(r, [password, b64(`${user}:${password}`), encodeURIComponent(password)]);
  }
});

test('Bearer: a token echoed by the registry and a password echoed by the token server stay hidden', async () => {
  const user = 'echo-user';
  const password = `pw-${crypto.randomBytes(8).toString('hex')}`;
  const token = `opaque-token-${crypto.randomBytes(8).toString('hex')}`;
  await echo.setRules([
    { path: '^/v2/$', action: 'respond', status: 401, headers: { 'www-authenticate': 'Bearer realm="{{self}}/token",service="echo"' } },
    {
      path: '^/token\\?.*scope=repository%3Ay%2Frefused',
      action: 'respond',
      status: 401,
      body: '{"details":"bad login {{authorization.decoded}}"}',
    },
    { path: '^/token', action: 'respond', status: 200, body: JSON.stringify({ token, expires_in: 60 }) },
    { path: '/manifests/', action: 'respond', status: 400, body: echoBody },
  ]);
  const r = await check(user, password);
  expect(r.exitCode).toBe(1);
  expect(r.masks).toEqual(expect.arrayContaining([password, token]));
  // Both echoes arrived and were redacted on their way to the reasons.
  expect(shown(r)).toContain('bad login echo-user:***');
  expect(shown(r)).toContain('you sent Bearer ***');
  expectNowhere(r, [password, token, b64(`${user}:${password}`)]);
});
