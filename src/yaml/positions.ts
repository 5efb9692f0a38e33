import { YamlError } from '../errors';
import { Pos } from '../py/value';

/** Offsets to 1-based line/column positions, and errors that carry them. */
export class Positions {
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly file?: string,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  at(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Columns count characters, as editors and PyYAML do, not UTF-16 code units.
    const col = Array.from(this.text.slice(this.lineStarts[lo], offset)).length + 1;
    return { line: lo + 1, col };
  }

  error(message: string, where: number | Pos): YamlError {
    const p = typeof where === 'number' ? this.at(where) : where;
    return new YamlError(message, { file: this.file, line: p.line, col: p.col });
  }
}
