/**
 * The one escaping rule for text the action did not write itself (repository file names, spec
 * values, registry answers, inputs, a child process's output) on its way to the runner's log.
 *
 * The runner reads every stdout/stderr line as a possible workflow command: `::name::data` at the
 * start of a line (after blanks) and the legacy `##[name]data` anywhere in it. So foreign text must
 * never start a line, and must never contain `##[`. The rule:
 *  - every character that ends or hides a line (C0 and C1 controls, DEL, U+2028/U+2029, lone
 *    surrogates, the BOM) is written as a visible `\xNN` / `\uNNNN` escape, so foreign text stays on
 *    the line it was put on;
 *  - `##[` becomes `#\x23[`;
 *  - a line that would start (after blanks) with `::` starts with `\x3a:` instead.
 * Text without any of these is unchanged, so ordinary names read as they are.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** One log line (or a piece of one) that the runner reads as text only. */
export function logSafe(text: string): string {
  const flat = text.replace(HIDDEN, escapeChar).replace(/##\[/g, '#\\x23[');
  return flat.replace(/^(\s*)::/, '$1\\x3a:');
}

/**
 * A message for a workflow command's data (an annotation, a debug line): `@actions/core` already
 * escapes its line breaks, so they are kept as breaks of a multi-line message, and every line of it
 * is made safe on its own.
 */
export function logSafeLines(text: string): string {
  return text
    .split(/\r\n|\n/)
    .map((l) => logSafe(l))
    .join('\n');
}

/** Whether `text` passes through `logSafe` unchanged: what argv elements and names must satisfy. */
export function isLogSafe(text: string): boolean {
  return logSafe(text) === text;
}

/**
 * A value quoted for a message: JSON-style double quotes (so blanks and the end of the value are
 * visible), cut to `max` characters, then made log-safe.
 */
export function quoted(value: string, max = 80): string {
  const s = value.length > max ? value.slice(0, max - 3) + '...' : value;
  return logSafe(JSON.stringify(s));
}
