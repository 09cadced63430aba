/**
 * Progress of a long command on stderr. On a terminal a bar (drawn by cli-progress) with the elapsed time, the ETA
 * from the budget, the rate (e.g. evaluations/s) and the command's own label (e.g. the best f); elsewhere (CI logs,
 * pipes) one plain line at every 10 % of the budget and at least every 30 s, so a log shows signs of life without
 * filling up. cli-progress's own non-terminal mode prints on a timer, which does not fire while a synchronous
 * evaluation holds the event loop, so the plain lines are written here at each update instead.
 */
import cliProgress from 'cli-progress';
import { formatNumber } from '../report/format.js';

export interface ProgressUpdate {
  /** Done fraction of the budget, 0..1; null where no budget makes one meaningful (then no bar and no ETA). */
  fraction: number | null;
  /** What the command is at, e.g. 'gen 4/10 · evals 40 · best 3.2e-5'. */
  label: string;
  /** A running count whose rate is shown, e.g. evaluations. */
  count?: number;
  /** The count's unit in the rate: 'evals' → 'evals/s'. */
  unit?: string;
}

/** Where progress goes: a terminal (isTTY, columns) or any stream. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Off a terminal, a line each time this fraction of the budget passes (default 0.1)… */
  plainStep?: number;
  /** …and after this many ms without one (default 30000). */
  plainEveryMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
}

interface Mark {
  t: number;
  fraction: number | null;
  count: number | undefined;
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly plainStep: number;
  private readonly plainEveryMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private first: Mark | null = null;
  private last: ProgressUpdate | null = null;
  private lastLineAt = -Infinity;
  private lastStep = -1;
  private bar: cliProgress.SingleBar | null = null;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.plainStep = options.plainStep ?? 0.1;
    this.plainEveryMs = options.plainEveryMs ?? 30000;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  get isTerminal(): boolean {
    return Boolean(this.stream.isTTY);
  }

  update(p: ProgressUpdate): void {
    const t = this.now();
    this.first ??= { t, fraction: p.fraction, count: p.count };
    this.last = p;
    if (this.isTerminal) this.draw(p);
    else {
      const step = p.fraction === null ? -1 : Math.floor(Math.min(1, p.fraction) / this.plainStep + 1e-9);
      if (step > this.lastStep || t - this.lastLineAt >= this.plainEveryMs) {
        this.lastStep = Math.max(step, this.lastStep);
        this.lastLineAt = t;
        this.stream.write(`${this.text(p, t)}\n`);
      }
    }
  }

  /** Stops the bar (its last state stays on screen) and leaves the terminal on a fresh line. */
  done(): void {
    this.bar?.stop();
    this.bar = null;
  }

  /** The progress as one line: `40% gen 4/10 · best f 3.2e-5 · σ 0.5 · 120 evals/s · 0:02, ETA 0:03`. */
  text(p: ProgressUpdate, t: number): string {
    const parts = [p.label];
    const rate = this.rate(p, t);
    if (rate) parts.push(rate);
    const eta = this.eta(p, t);
    parts.push(`${formatClock(t - this.started)}${eta !== null ? `, ETA ${formatClock(eta)}` : ''}`);
    const pct = p.fraction === null ? '' : `${Math.floor(100 * Math.min(1, Math.max(0, p.fraction)))}% `;
    return pct + parts.join(' · ');
  }

  /** Counted since the first update (a resumed run's earlier evaluations are not this process's). */
  private rate(p: ProgressUpdate, t: number): string | null {
    if (p.count === undefined || this.first?.count === undefined || t <= this.first.t) return null;
    return `${formatNumber(((p.count - this.first.count) * 1000) / (t - this.first.t))} ${p.unit ?? ''}/s`.replace(' /s', '/s');
  }

  /** The remaining fraction of the budget at the pace since the first update. */
  private eta(p: ProgressUpdate, t: number): number | null {
    const f0 = this.first?.fraction;
    if (p.fraction === null || f0 === null || f0 === undefined || p.fraction <= f0 || t <= this.first!.t) return null;
    return ((1 - Math.min(1, p.fraction)) * (t - this.first!.t)) / (p.fraction - f0);
  }

  private draw(p: ProgressUpdate): void {
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar({
        stream: this.stream as NodeJS.WritableStream,
        barsize: 20,
        fps: 10,
        linewrap: false,
        hideCursor: false,
        gracefulExit: false,
        // The whole line is ours: cli-progress draws the bar glyphs and keeps the line in place.
        format: (options, params) => {
          const last = this.last!;
          const bar = last.fraction === null ? '' : `${cliProgress.Format.BarFormat(params.progress, options)} `;
          return `${bar}${this.text(last, this.now())}`.slice(0, Math.max(20, params.maxWidth - 1));
        },
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
      });
      this.bar.start(1000, this.value(p));
    } else this.bar.update(this.value(p));
  }

  private value(p: ProgressUpdate): number {
    return p.fraction === null ? 0 : Math.round(1000 * Math.min(1, Math.max(0, p.fraction)));
  }
}

/**
 * The progress display a command shows: none with --no-progress, nor with --json off a terminal (stdout and stderr
 * then both stay machine-clean); a terminal gets its bar even with --json.
 */
export function progressBarFor(args: { switches: ReadonlySet<string> }, options: ProgressOptions = {}): ProgressBar | null {
  const bar = new ProgressBar(options);
  return args.switches.has('no-progress') || (!bar.isTerminal && args.switches.has('json')) ? null : bar;
}

/** Milliseconds as a clock, `m:ss` or `h:mm:ss`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
