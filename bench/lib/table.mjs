// One table for all benchmarks, printed as Markdown so it can be pasted into the README as is.
// A row: { bench, measure, value, baseline?, ratio?, target?, met? (true/false/undefined) }.
export const COLUMNS = [
  ['bench', 'benchmark'],
  ['measure', 'measure'],
  ['value', 'action'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['met', 'met'],
];

const cell = (row, key) => {
  const v = row[key];
  if (key === 'met') return v === true ? 'yes' : v === false ? '**no**' : '';
  return v === undefined || v === null ? '' : String(v);
};

export function renderTable(rows) {
  // A benchmark may add a table of its own (a row with `markdown`), printed below the common one.
  const extra = rows.filter((r) => r.markdown).map((r) => r.markdown);
  if (extra.length > 0) return [renderTable(rows.filter((r) => !r.markdown)), ...extra].join('\n\n');
  const head = COLUMNS.map(([, title]) => title);
  const body = rows.map((r) => COLUMNS.map(([key]) => cell(r, key).replace(/\|/g, '\\|')));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}

export function printTable(rows) {
  process.stdout.write(`${renderTable(rows)}\n`);
}
