import type { Constant } from 'py-ast';
import type { Where } from '../errors';
import type { PyStr, PyValue } from '../py/value';
import { unsupported } from './errors';
import type { ParsedModule } from './parse';

/**
 * A number as Python reads its source text: ints stay exact (bigint, any base, `_` separators),
 * floats are the correctly rounded double of the decimal text (what JS `Number()` computes too),
 * so `3.10` is the float 3.1 and `1e3` the float 1000.0. The parser's JS number is never used.
 */
export function numberLiteral(text: string, at: Where): PyValue {
  const t = text.replace(/_/g, '');
  if (/[jJ]$/.test(t)) throw unsupported('a complex number literal', at);
  if (/^0[xX][0-9a-fA-F]+$|^0[oO][0-7]+$|^0[bB][01]+$/.test(t)) return { kind: 'int', value: BigInt(t.toLowerCase()) };
  if (/^[0-9]+$/.test(t)) return { kind: 'int', value: BigInt(t) };
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) return { kind: 'float', value: Number(t) };
  throw unsupported('this number literal', at);
}

/**
 * A string constant. py-ast decodes escapes and implicit concatenation as CPython does, except
 * `\N{name}` (it has no Unicode name table), so a literal that may contain one is refused rather
 * than hashed wrong; bytes are not ImageSpec values.
 */
export function stringLiteral(node: Constant, parsed: ParsedModule, at: Where): PyStr {
  const quote = (node as { quote_style?: string }).quote_style;
  // py-ast writes `...` as a string constant without a quote style.
  if (quote === undefined && node.value === '...') throw unsupported('Ellipsis', at);
  const prefix = (quote ?? '').replace(/['"]+$/, '');
  if (/[bB]/.test(prefix)) throw unsupported('a bytes literal', at);
  if (/\\N\{/.test(parsed.segment(node)) && !/^[rR]+$/.test(prefix)) {
    throw unsupported('a string with a \\N{...} escape', at, 'write the character itself');
  }
  return { kind: 'str', value: node.value as string };
}
