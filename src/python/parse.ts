import { parse } from 'py-ast';
import type { ASTNodeUnion, Module } from 'py-ast';
import type { Pos } from '../py/value';
import { PythonSpecError } from './errors';

/** Largest Python module we parse: real workflow modules are a few KB; this stops accidents and abuse. */
export const MAX_MODULE_BYTES = 1024 * 1024;

export interface ParsedModule {
  file: string;
  text: string;
  module: Module;
  /** 1-based line and column (in code points, as editors count) of a node's start. */
  pos(node: ASTNodeUnion): Pos;
  /** The exact source text of a node (numbers are read from it: `3.10` is not `3.1`). */
  segment(node: ASTNodeUnion): string;
}

/**
 * Parse with py-ast (see docs/python-parser.md for why this parser). Its columns are UTF-8 byte
 * offsets, as CPython's are; annotations need characters, so each line is converted once.
 */
export function parseModule(text: string, file: string): ParsedModule {
  const lines = text.split(/\r\n|\r|\n/);
  let module: Module;
  try {
    module = parse(text, { filename: file });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /line (\d+)(?:, column (\d+))?/.exec(msg);
    throw new PythonSpecError(
      `not valid Python: ${msg.replace(/[\r\n]+/g, ' ').slice(0, 300)}`,
      { file, line: m ? Number(m[1]) : 1, col: m?.[2] !== undefined ? Number(m[2]) + 1 : undefined },
      'syntax',
    );
  }
  const byteToChar = (line: number, byteCol: number): number => {
    const s = lines[line - 1] ?? '';
    let bytes = 0;
    let chars = 0;
    for (const ch of s) {
      if (bytes >= byteCol) break;
      bytes += Buffer.byteLength(ch, 'utf8');
      chars++;
    }
    return chars;
  };
  const locOf = (node: ASTNodeUnion) => node as { lineno?: number; col_offset?: number; end_lineno?: number; end_col_offset?: number };
  return {
    file,
    text,
    module,
    pos(node) {
      const n = locOf(node);
      const line = n.lineno ?? 1;
      return { line, col: byteToChar(line, n.col_offset ?? 0) + 1 };
    },
    segment(node) {
      const n = locOf(node);
      if (n.lineno === undefined || n.end_lineno === undefined || n.col_offset === undefined || n.end_col_offset === undefined) return '';
      const out: string[] = [];
      for (let l = n.lineno; l <= n.end_lineno; l++) {
        const s = lines[l - 1] ?? '';
        const buf = Buffer.from(s, 'utf8');
        const from = l === n.lineno ? n.col_offset : 0;
        const to = l === n.end_lineno ? n.end_col_offset : buf.length;
        out.push(buf.subarray(from, to).toString('utf8'));
      }
      return out.join('\n');
    },
  };
}
