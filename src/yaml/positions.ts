import { YamlError } from '../errors';
import { Pos } from '../py/value';

/** Offsets to 1-based line/column positions, and errors that carry them. */
export class Positions {
  private readonly lineStarts: number[] = [0];
  /** Offsets of the high halves of surrogate pairs: each makes one column out of two code units. */
  private readonly pairs: number[] = [];

  /**
   * @param shifts spaces inserted at the start of a line (0-based line → count) into the text the
   *   file was read as; positions are reported in the file as written.
   */
  constructor(
    text: string,
    private readonly file?: string,
    private readonly shifts?: ReadonlyMap<number, number>,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    const astral = /[\ud800-\udbff][\udc00-\udfff]/g;
    for (let m = astral.exec(text); m; m = astral.exec(text)) this.pairs.push(m.index);
  }

  at(offset: number): Pos {
    const line = countAtOrBelow(this.lineStarts, offset) - 1;
    const start = this.lineStarts[line];
    // Columns count characters, as editors and PyYAML do, not UTF-16 code units. Counting them by
    // search keeps every position O(log n): thousands of aliases on one line must not be quadratic.
    const pairsBefore = countAtOrBelow(this.pairs, offset - 2) - countAtOrBelow(this.pairs, start - 1);
    const col = offset - start - pairsBefore + 1;
    const shift = this.shifts?.get(line) ?? 0;
    return { line: line + 1, col: Math.max(1, col - shift) };
  }

  /** Characters (code points) from `start` up to `end`, in O(log n). */
  codePoints(start: number, end: number): number {
    return end - start - (countAtOrBelow(this.pairs, end - 2) - countAtOrBelow(this.pairs, start - 1));
  }

  error(message: string, where: number | Pos): YamlError {
    const p = typeof where === 'number' ? this.at(where) : where;
    return new YamlError(message, { file: this.file, line: p.line, col: p.col });
  }
}

/** How many entries of the ascending `sorted` are <= `x`. */
function countAtOrBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
