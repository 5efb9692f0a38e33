// Parse the files listed by facts.py with py-ast and compare the facts (see facts.py).
//   node --stack-size=8000 compare.cjs <facts.json>
// Prints one JSON summary line, then up to 40 examples of parse failures and differences.
// py-ast writes `...` as a str constant without a quote style; those are not counted.
const fs = require('node:fs');
const { parse, walk } = require('py-ast');

const KINDS = new Set(['Call', 'Name', 'Attribute', 'JoinedStr', 'Subscript', 'Dict', 'List', 'Tuple', 'BinOp']);
const expected = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const summary = { files: 0, parseFail: 0, filesWithDifferences: 0, facts: 0, parseMs: 0 };
const examples = [];
for (const { file, facts } of expected) {
  summary.files++;
  const src = fs.readFileSync(file, 'utf8');
  let mod;
  const t0 = performance.now();
  try {
    mod = parse(src);
  } catch (e) {
    summary.parseFail++;
    if (examples.length < 40) examples.push(['parse', file, String(e.message).slice(0, 120)]);
    continue;
  }
  summary.parseMs += performance.now() - t0;
  const got = [];
  for (const n of walk(mod)) {
    const loc = [n.lineno, n.col_offset, n.end_lineno, n.end_col_offset];
    const bytes = /^[rRuU]*[bB]/.test(n.quote_style ?? '');
    if (KINDS.has(n.nodeType)) got.push([n.nodeType, ...loc]);
    else if (n.nodeType === 'Constant' && typeof n.value === 'string' && !bytes) got.push(['Str', ...loc, n.value]);
    else if (n.nodeType === 'Constant' && (typeof n.value === 'number' || typeof n.value === 'bigint')) got.push(['Num', ...loc]);
  }
  const count = new Map();
  for (const f of facts) count.set(JSON.stringify(f), (count.get(JSON.stringify(f)) ?? 0) + 1);
  for (const f of got) count.set(JSON.stringify(f), (count.get(JSON.stringify(f)) ?? 0) - 1);
  const diff = [...count].filter(([k, c]) => c !== 0 && !k.includes('"..."'));
  summary.facts += facts.length;
  if (diff.length) {
    summary.filesWithDifferences++;
    if (examples.length < 40) examples.push(['diff', file, diff.slice(0, 3)]);
  }
}
summary.parseMs = Math.round(summary.parseMs);
console.log(JSON.stringify(summary));
for (const e of examples) console.log(JSON.stringify(e).slice(0, 400));
