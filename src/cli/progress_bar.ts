/**
 * A one-line progress bar on a terminal (stderr), or a plain line every few seconds when stderr is
 * not a terminal (CI logs, pipes), so long runs always show signs of life without flooding logs.
 */
export interface ProgressInfo {
  /** 0..1, or null when no budget makes a fraction meaningful. */
  fraction: number | null;
  label: string;
}

export class ProgressBar {
  private lastPlain = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
    private readonly plainEveryMs = 5000,
  ) {}

  get isTerminal(): boolean {
    return Boolean(this.stream.isTTY);
  }

  update(p: ProgressInfo): void {
    if (this.isTerminal) {
      // Redrawing more than ~15 times a second only costs time.
      if (Date.now() - this.lastDraw < 66 && p.fraction !== 1) return;
      this.lastDraw = Date.now();
      const cols = this.stream.columns || 100;
      const line = `${renderBar(p.fraction, this.width)} ${p.label}`.slice(0, Math.max(10, cols - 1));
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (Date.now() - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = Date.now();
      this.stream.write(`${p.fraction === null ? '' : `${(100 * p.fraction).toFixed(0)}% `}${p.label}\n`);
    }
  }

  /** Leaves the terminal on a fresh line. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function renderBar(fraction: number | null, width: number): string {
  if (fraction === null) return `[${'·'.repeat(width)}]`;
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${(100 * f).toFixed(0).padStart(3)}%`;
}
