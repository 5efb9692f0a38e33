/**
 * The value of a `|` or `>` block scalar exactly as PyYAML 6.0's scanner builds it. The `yaml`
 * package differs at the end of the file (it adds a final newline that is not there, and
 * counts trailing indentation differently), so the text is rescanned the PyYAML way.
 */
export type BlockScalarResult = { value: string; end: number } | { error: string; offset: number };

const isBreak = (ch: string): boolean => ch === '\n' || ch === '\r';

/**
 * @param text the whole YAML text
 * @param header offset of the `|` or `>` indicator
 * @param parentIndent column of the enclosing block collection (0 at the top level)
 */
export function scanBlockScalar(text: string, header: number, parentIndent: number): BlockScalarResult {
  const folded = text[header] === '>';
  let pos = header + 1;
  // Only compared after the first line break, which resets it.
  let col = 0;
  const peek = (): string => (pos < text.length ? text[pos] : '');

  // Header: an optional chomping sign and indentation digit, in either order.
  let chomping: boolean | undefined;
  let increment: number | undefined;
  for (let i = 0; i < 2; i++) {
    const ch = peek();
    if ((ch === '+' || ch === '-') && chomping === undefined) {
      chomping = ch === '+';
    } else if (/[0-9]/.test(ch) && increment === undefined) {
      if (ch === '0') return { error: 'expected indentation indicator in the range 1-9, but found 0', offset: pos };
      increment = Number(ch);
    } else {
      break;
    }
    pos++;
  }
  if (peek() !== '' && peek() !== ' ' && !isBreak(peek())) {
    return { error: `expected chomping or indentation indicators, but found '${peek()}'`, offset: pos };
  }

  // The rest of the header line may only hold spaces and a comment.
  while (peek() === ' ') pos++;
  if (peek() === '#') while (peek() !== '' && !isBreak(peek())) pos++;
  if (peek() !== '' && !isBreak(peek())) return { error: `expected a comment or a line break, but found '${peek()}'`, offset: pos };

  const lineBreak = (): string => {
    if (text.startsWith('\r\n', pos)) pos += 2;
    else if (isBreak(peek())) pos++;
    else return '';
    col = 0;
    return '\n';
  };
  const breaksUpTo = (indent: number): string[] => {
    const out: string[] = [];
    while (col < indent && peek() === ' ') {
      pos++;
      col++;
    }
    while (isBreak(peek())) {
      out.push(lineBreak());
      while (col < indent && peek() === ' ') {
        pos++;
        col++;
      }
    }
    return out;
  };
  lineBreak();

  const minIndent = Math.max(1, parentIndent + 1);
  let indent: number;
  let breaks: string[] = [];
  if (increment === undefined) {
    let maxIndent = 0;
    while (peek() === ' ' || isBreak(peek())) {
      if (peek() === ' ') {
        pos++;
        col++;
        maxIndent = Math.max(maxIndent, col);
      } else {
        breaks.push(lineBreak());
      }
    }
    indent = Math.max(minIndent, maxIndent);
  } else {
    indent = minIndent + increment - 1;
    breaks = breaksUpTo(indent);
  }

  const chunks: string[] = [];
  let lastBreak = '';
  while (col === indent && peek() !== '') {
    chunks.push(...breaks);
    const leadingNonSpace = peek() !== ' ' && peek() !== '\t';
    const start = pos;
    while (peek() !== '' && !isBreak(peek())) pos++;
    chunks.push(text.slice(start, pos));
    lastBreak = lineBreak();
    breaks = breaksUpTo(indent);
    if (!(col === indent && peek() !== '')) break;
    // PyYAML's reading of the folding rules: only lines that start with a non-space fold.
    if (folded && lastBreak === '\n' && leadingNonSpace && peek() !== ' ' && peek() !== '\t') {
      if (breaks.length === 0) chunks.push(' ');
    } else {
      chunks.push(lastBreak);
    }
  }
  if (chomping !== false) chunks.push(lastBreak);
  if (chomping === true) chunks.push(...breaks);
  return { value: chunks.join(''), end: pos };
}
