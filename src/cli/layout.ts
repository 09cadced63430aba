/** Text laid out for a terminal: help, tables and lists fit WIDTH columns, wrapping words rather than cutting them. */

/** Columns every help text and table fits in. */
export const WIDTH = 100;

/** The words of `text` in lines of at most `width` columns; a word longer than that gets a line of its own. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

export interface ColumnsOptions {
  /** Spaces before the first column (default 2). */
  indent?: number;
  /** Spaces between columns (default 2). */
  gap?: number;
  /** Total width (default WIDTH). */
  width?: number;
  /**
   * Widest a column other than the last may be (default: its widest cell). A row whose cell is wider stands alone
   * on its line and its last cell starts on the next one, under the last column.
   */
  maxColumn?: number;
  /** Widths of the columns before the last, where several tables must line up (default: from their cells). */
  widths?: readonly number[];
}

/**
 * Rows of cells as aligned columns; the last column's text wraps within the width that is left (at least 30
 * columns), its further lines indented to that column.
 */
export function columns(rows: readonly (readonly string[])[], options: ColumnsOptions = {}): string[] {
  const { indent = 2, gap = 2, width = WIDTH, maxColumn = Infinity } = options;
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n - 1 }, (_, c) => options.widths?.[c] ?? Math.min(maxColumn, Math.max(0, ...rows.map((r) => (r.length > 1 ? r[c]?.length ?? 0 : 0)))));
  const lastStart = indent + widths.reduce((a, w) => a + w + gap, 0);
  const lastWidth = Math.max(30, width - lastStart);
  const out: string[] = [];
  for (const row of rows) {
    const pad = ' '.repeat(indent);
    if (row.length <= 1) {
      out.push(...wrapText(row[0] ?? '', width - indent).map((l) => pad + l));
      continue;
    }
    const lead = row.slice(0, -1);
    const text = wrapText(row[row.length - 1]!, lastWidth);
    const overflow = lead.some((cell, c) => cell.length > widths[c]!);
    const head = pad + lead.map((cell, c) => cell.padEnd(widths[c]!)).join(' '.repeat(gap));
    if (overflow) out.push(head.trimEnd());
    else out.push(`${head}${' '.repeat(gap)}${text.shift() ?? ''}`.trimEnd());
    out.push(...text.map((l) => ' '.repeat(lastStart) + l));
  }
  return out;
}
