/**
 * Comparing the action's YAML loader with PyYAML's answer for one document, shared by the
 * differential tests that send generated YAML to the oracle.
 */
import { YamlError } from '../../src/errors';
import { pyRepr } from '../../src/py/repr';
import { loadYaml } from '../../src/yaml/load';
import type { Verdict } from './harness';
import type { OracleAnswer } from './oracle';

/**
 * The documented cases where the loader refuses what PyYAML loads (docs/fidelity.md), by the words
 * of the refusal. Everything else the loader refuses while PyYAML loads it is a failure.
 */
export const STRICTER_YAML: ReadonlyArray<[string, RegExp]> = [
  ['duplicate key', /duplicate key/i],
  ['tag not supported', /tag .*(not supported|is refused|unsupported)|not supported/i],
  ['raw U+0085/U+2028/U+2029', /unsupported line break character/],
  ['limits', /nested more than|alias/i],
  // PyYAML lets a quoted scalar or a flow collection continue at column 0 (`v: "a` newline `b"`,
  // `v: [a,` newline `b]`); the action re-indents such lines (up to 64 of them) and refuses beyond.
  [
    'unindented continuation',
    /line (inside it )?is not indented past its key|expected ':' before this value|is not closed before this line, which is not indented past column/,
  ],
  // PyYAML keeps `"\ud83d\ude00"` as two code points; a JS string would hold one character.
  ['surrogate pair written as two escapes', /high surrogate escape directly followed by a low one/],
  // PyYAML reads a U+FEFF after the first character as content; the yaml package does not.
  ['U+FEFF inside the text', /byte order mark \(U\+FEFF\) inside the text/],
  // PyYAML starts a comment at a '#' right after a quoted scalar or flow indicator (`'a'#x`).
  ['comment without a space', /Comments must be separated from other tokens by white space/],
  // Flow-collection corners PyYAML reads its own way (`[?x]` is a mapping, `[-]` a string).
  // `&a:b` is anchor `a` on ':b' to PyYAML and one anchor name to the yaml package.
  ['anchor name ended by an indicator', /PyYAML ends the (anchor|alias) name/],
  [
    'flow-collection corner',
    /PyYAML reads '\?'|Block collections are not allowed within flow collections|Implicit keys of flow sequence pairs/,
  ],
];

export const stricterCounts = new Map<string, number>();

function stricterYamlRefusal(message: string): boolean {
  const hit = STRICTER_YAML.find(([, re]) => re.test(message));
  if (hit) stricterCounts.set(hit[0], (stricterCounts.get(hit[0]) ?? 0) + 1);
  return hit !== undefined;
}

/** Both loaders on the same text: the same repr, or both refuse (the error line must agree when PyYAML gives one). */
export function compareYaml(text: string, a: OracleAnswer<{ repr: string }>): Verdict {
  let ours: { ok: true; repr: string } | { ok: false; error: YamlError };
  try {
    ours = { ok: true, repr: pyRepr(loadYaml(text, 'doc.yaml')) };
  } catch (e) {
    if (!(e instanceof YamlError))
      return { diff: `ours threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (not a YamlError)` };
    ours = { ok: false, error: e };
  }
  if (a.ok && ours.ok) return a.repr === ours.repr ? undefined : { diff: `value differs:\n  python: ${a.repr}\n  ours:   ${ours.repr}` };
  if (!a.ok && !ours.ok) {
    if (ours.error.file !== 'doc.yaml' || ours.error.line === undefined)
      return { diff: `our error names no file and line: ${ours.error.describe()}` };
    return 'both-rejected';
  }
  if (a.ok && !ours.ok) {
    return stricterYamlRefusal(ours.error.message)
      ? 'stricter'
      : { diff: `python loads ${a.repr}\nours refuses: ${ours.error.describe()}` };
  }
  const e = a as { type: string; message: string };
  return { diff: `python refuses: ${e.type}: ${e.message}\nours loads: ${(ours as { repr: string }).repr}` };
}
