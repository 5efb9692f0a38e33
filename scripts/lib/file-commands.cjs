// The runner's file-command format (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `NAME=VALUE` lines
// and `NAME<<DELIM … DELIM` blocks, split at whichever of `=` and `<<` comes first, as the runner's
// reader does. Shared by the test harness (__tests__/support/runner.ts) and the benchmarks.

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

module.exports = { parseFileCommands };
