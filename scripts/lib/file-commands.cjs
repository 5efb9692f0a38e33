// What the GitHub runner gives a step: its environment, with empty file-command files, and the
// file-command format (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `NAME=VALUE` lines and
// `NAME<<DELIM … DELIM` blocks, split at whichever of `=` and `<<` comes first, as the runner's
// reader does. Shared by the test harness (__tests__/support/runner.ts) and the benchmarks.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * A push build's step environment for `workspace`; the file-command files are created empty in
 * `filesDir` (GITHUB_OUTPUT is `filesDir/output`, and so on).
 * @param {string} workspace @param {string} filesDir @param {string} runnerTemp
 * @returns {Record<string, string>}
 */
function runnerEnv(workspace, filesDir, runnerTemp) {
  const file = (n) => {
    const p = path.join(filesDir, n);
    fs.writeFileSync(p, '');
    return p;
  };
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/flyte-project',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: 'images',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: file('output'),
    GITHUB_ENV: file('env'),
    GITHUB_PATH: file('path'),
    GITHUB_STATE: file('state'),
    GITHUB_STEP_SUMMARY: file('summary'),
  };
}

/** @param {string} text @returns {Record<string, string>} */
function parseFileCommands(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
      continue;
    }
    if (hd < 0) throw new Error(`invalid file command line: ${line}`);
    const name = line.slice(0, hd);
    const delim = line.slice(hd + 2);
    const value = [];
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
    if (i >= lines.length) throw new Error(`no closing delimiter for ${name}`);
    out[name] = value.join('\n');
  }
  return out;
}

module.exports = { parseFileCommands, runnerEnv };
