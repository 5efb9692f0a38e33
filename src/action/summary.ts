import type { ImageRecord } from './outputs';

/** Markdown-escape a table cell: pipes would split it, backticks and newlines would break the row. */
function cell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'")
    .replace(/[\r\n]+/g, ' ');
}

function code(s: string): string {
  return s ? '`' + cell(s) + '`' : '';
}

function duration(ms?: number): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;
}

/** The job summary: one row an image, with the columns that say something in this mode. */
export function summaryMarkdown(title: string, records: ImageRecord[], errors: string[] = []): string {
  const showDigest = records.some((r) => r.digest);
  const showDuration = records.some((r) => r.durationMs !== undefined);
  const head = ['Key', 'Source', 'Image', 'Status', ...(showDigest ? ['Digest'] : []), ...(showDuration ? ['Duration'] : [])];
  const lines = [`### ${cell(title)}`, ''];
  if (records.length > 0) {
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`);
    for (const r of records) {
      const status = r.reason ? `${r.status}: ${r.reason}` : r.status;
      const row = [cell(r.key), cell(r.line !== undefined ? `${r.file}:${r.line}` : r.file), code(r.image), cell(status)];
      if (showDigest) row.push(code(r.digest ?? ''));
      if (showDuration) row.push(duration(r.durationMs));
      lines.push(`| ${row.join(' | ')} |`);
    }
  }
  if (errors.length > 0) {
    lines.push('', '**Errors**', '', ...errors.map((e) => `- ${cell(e)}`));
  }
  return lines.join('\n') + '\n';
}
