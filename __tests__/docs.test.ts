/**
 * The documentation says what exists: the README's tables list exactly the inputs (with their
 * defaults) and outputs of action.yml, the README opens with the two commands a newcomer runs and
 * stays short, and every relative link between the documents leads to a file and heading that exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/runner';

interface Manifest {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, unknown>;
}
const manifest = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as Manifest;

const README = path.join(REPO_ROOT, 'README.md');
const readme = fs.readFileSync(README, 'utf8');
const DOCS_DIR = path.join(REPO_ROOT, 'docs');
const docPages = fs
  .readdirSync(DOCS_DIR)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => path.join(DOCS_DIR, f));
/** Every Markdown document whose links are checked. */
const DOCUMENTS = [
  README,
  path.join(REPO_ROOT, 'CONTRIBUTING.md'),
  path.join(REPO_ROOT, 'bench', 'README.md'),
  path.join(REPO_ROOT, 'examples', 'README.md'),
  ...docPages,
];

/** The text outside fenced code blocks (a `#` comment in a YAML block is not a heading). */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** One `## heading` section's text, up to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const lines = prose(text).split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The rows of a `| `name` | … |` table: the name and the other cells. */
function tableRows(heading: string): Array<{ name: string; cells: string[] }> {
  return [...section(readme, heading).matchAll(/^\| `([a-z0-9-]+)` \|(.*)\|$/gm)].map((m) => ({
    name: m[1],
    cells: m[2].split(' | ').map((c) => c.trim()),
  }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a document's headings, with GitHub's -1, -2 suffixes for repeats. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative links of a document that do not lead to a file, or to a heading, that exists. */
function brokenLinks(file: string, text: string, read: (f: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [rel, anchor] = target.split('#', 2);
    const dest = rel === '' ? file : path.resolve(path.dirname(file), rel);
    const body = dest === file ? text : read(dest);
    if (body === undefined) {
      problems.push(`${target}: no such file`);
      continue;
    }
    if (anchor !== undefined && dest.endsWith('.md') && !anchors(body).has(anchor)) problems.push(`${target}: no such heading`);
  }
  return problems;
}

const readIfExists = (f: string): string | undefined => {
  if (!fs.existsSync(f)) return undefined;
  return fs.statSync(f).isDirectory() ? '' : fs.readFileSync(f, 'utf8');
};

test('the inputs table lists every input of action.yml, and nothing else', () => {
  expect(
    tableRows('## Inputs')
      .map((r) => r.name)
      .sort(),
  ).toEqual(Object.keys(manifest.inputs).sort());
});

test("the inputs table gives each input's default as action.yml declares it", () => {
  for (const { name, cells } of tableRows('## Inputs')) {
    const cell = cells[0];
    const spec = manifest.inputs[name];
    const quoted = /^`([^`]*)`$/.exec(cell);
    // `value` for a default, (required), or a parenthesised phrase where action.yml's default is empty.
    const shown = quoted ? quoted[1] : cell === '(required)' ? 'required' : /^\([^()`]+\)$/.test(cell) ? '' : `unreadable: ${cell}`;
    const declared = spec.required === true ? 'required' : (spec.default ?? '');
    expect({ input: name, default: shown }).toEqual({ input: name, default: declared });
  }
});

test('the outputs table lists every output of action.yml, and nothing else', () => {
  const outputs = Object.keys(manifest.outputs);
  expect(
    tableRows('## Outputs')
      .map((r) => r.name)
      .sort(),
  ).toEqual(outputs.sort());
});

test('the README opens with the two commands a newcomer runs', () => {
  const lines = readme.split('\n');
  const firstFence = lines.findIndex((l) => l.startsWith('```'));
  expect(lines[firstFence]).toBe('```bash');
  expect(firstFence).toBeLessThan(5);
  const block = readme.split('```bash')[1].split('```')[0];
  expect(block).toMatch(/^bash scripts\/demo\.sh\b/m);
  expect(block).toMatch(/^bash scripts\/test\.sh\b/m);
});

test('the README is read in one pass: under 20 KB, with a table of contents of its sections', () => {
  expect(Buffer.byteLength(readme)).toBeLessThan(20_000);
  const contents = section(readme, '## Contents');
  for (const m of prose(readme).matchAll(/^## (.+)$/gm)) {
    if (m[1] === 'Contents') continue;
    expect({ section: m[1], listed: contents.includes(`](#${slug(m[1])})`) }).toEqual({ section: m[1], listed: true });
  }
});

test('every moved document is reachable by a link from the README', () => {
  const linked = new Set([...prose(readme).matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)].map((m) => path.resolve(REPO_ROOT, m[1])));
  for (const doc of DOCUMENTS.filter((d) => d !== README && !d.includes(`${path.sep}examples${path.sep}`))) {
    expect({ doc: path.relative(REPO_ROOT, doc), linked: linked.has(doc) }).toEqual({ doc: path.relative(REPO_ROOT, doc), linked: true });
  }
});

test.each(DOCUMENTS.map((f) => [path.relative(REPO_ROOT, f), f]))('every relative link in %s leads somewhere', (_name, file) => {
  expect(brokenLinks(file, fs.readFileSync(file, 'utf8'), readIfExists)).toEqual([]);
});

test('the link check reports a missing file and a missing heading', () => {
  const text = '# Title\n\n[ok](#title) [gone](nope.md) [bad](#nowhere) [web](https://example.com/x#y)\n```\n# not a heading\n```\n';
  expect(brokenLinks(README, text, readIfExists)).toEqual(['nope.md: no such file', '#nowhere: no such heading']);
});

test('anchors follow GitHub: punctuation and backticks dropped, repeats numbered', () => {
  expect([...anchors('## Build on push to `main`\n## Pull requests: validate, gate\n## A\n## A\n')]).toEqual([
    'build-on-push-to-main',
    'pull-requests-validate-gate',
    'a',
    'a-1',
  ]);
});

test('bench/README.md has the block that bench/run.mjs --update-doc rewrites', () => {
  const bench = fs.readFileSync(path.join(REPO_ROOT, 'bench', 'README.md'), 'utf8');
  expect(bench).toMatch(/<!-- bench:results -->\n[\s\S]*?<!-- \/bench:results -->/);
});
