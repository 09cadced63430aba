/**
 * Dependency-free SVG line charts for run reports and experiment write-ups. Output is plain,
 * deterministic XML (fixed rounding, no ids, no dates), so charts can be diffed and tested as text.
 */

export interface Series {
  name: string;
  x: number[];
  /** null or non-finite values break the line instead of being drawn through. */
  y: (number | null)[];
  /** Shaded band (e.g. spread over seeds); drawn where both bounds are finite. */
  lower?: (number | null)[];
  upper?: (number | null)[];
  dashed?: boolean;
  /** CSS colour; defaults to the next palette colour. */
  color?: string;
  /** Listed in the legend (default true): one of many like lines (coordinates) can stay out of it. */
  legend?: boolean;
}

/** A vertical line across a panel at `x` (e.g. a restart), labelled at the top. */
export interface Marker {
  x: number;
  label: string;
}

export interface ChartOptions {
  title?: string;
  /** Pixels; stackCharts uses one width for all panels. */
  width?: number;
  /** Pixels of this panel. */
  height?: number;
  xLabel: string;
  yLabel: string;
  /** Non-positive values cannot be placed on a log axis: they are skipped and a note says how many. */
  logY?: boolean;
  series: Series[];
  markers?: Marker[];
  /** A line under the legend (e.g. how many series the legend leaves out). */
  note?: string;
}

export interface StackOptions {
  title?: string;
  width?: number;
}

/** Tableau 10: distinct in colour and lightness, so lines stay apart in greyscale print too. */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 300;
const STACK_TITLE_H = 30;
const MARGIN = { left: 72, bottom: 48 };
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Two decimals are below a pixel's worth; fixed rounding keeps output byte-stable. */
function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Strips float noise such as 0.30000000000000004 from tick values. */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** Ticks at 1, 2 or 5 times a power of ten, covering [min, max] with about `target` intervals. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`niceTicks: non-finite range [${min}, ${max}]`);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const k0 = Math.floor(clean(min / step));
  const k1 = Math.ceil(clean(max / step));
  const ticks: number[] = [];
  for (let k = k0; k <= k1; k++) ticks.push(clean(k * step));
  return ticks;
}

/**
 * Decade ticks covering [min, max] (both > 0), thinned to at most `maxTicks`; 2 and 5 are added
 * when the range spans two decades or less, so a narrow log axis still has readable labels.
 */
export function logTicks(min: number, max: number, maxTicks = 12): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error(`logTicks: range must be finite and positive, got [${min}, ${max}]`);
  }
  if (min > max) [min, max] = [max, min];
  let lo = Math.floor(clean(Math.log10(min)));
  let hi = Math.ceil(clean(Math.log10(max)));
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const step = Math.max(1, Math.ceil((hi - lo) / Math.max(1, maxTicks - 1)));
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += step) {
    ticks.push(clean(10 ** e));
    if (hi - lo <= 2 && e < hi) ticks.push(clean(2 * 10 ** e), clean(5 * 10 ** e));
  }
  return ticks;
}

/** Log labels: plain numbers while the whole axis stays within 0.01..1000, else 1e-8 style. */
export function formatLogTick(v: number, ticks: number[]): string {
  const plain = ticks[0]! >= 0.01 && ticks[ticks.length - 1]! <= 1000;
  if (plain) return String(clean(v));
  const e = Math.floor(clean(Math.log10(v)));
  const m = clean(v / 10 ** e);
  return `${m}e${e}`;
}

/** Linear labels with as many decimals as the tick step needs; exponent form for extreme scales. */
export function formatLinearTick(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  if (Math.abs(v) < step * 1e-9) v = 0; // no "-0.0" from float noise
  const big = Math.max(Math.abs(ticks[0]!), Math.abs(ticks[ticks.length - 1]!));
  if (big >= 1e5 || step < 1e-3) return v === 0 ? '0' : clean(v).toExponential().replace('e+', 'e');
  return v.toFixed(Math.max(0, -Math.floor(clean(Math.log10(step)))));
}

interface Prepared {
  series: Series;
  color: string;
  ok: boolean[];
  band: boolean[];
}

function validY(v: number | null | undefined, logY: boolean): v is number {
  return typeof v === 'number' && Number.isFinite(v) && (!logY || v > 0);
}

function checkLengths(s: Series): void {
  const n = s.x.length;
  for (const [key, arr] of [['y', s.y], ['lower', s.lower], ['upper', s.upper]] as const) {
    if (arr && arr.length !== n) throw new Error(`series "${s.name}": x has ${n} points but ${key} has ${arr.length}`);
  }
}

/** Spread-free min/max: Math.min(...xs) overflows the call stack on long series. */
function extent(vs: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Runs of consecutive indices where `ok` holds: each becomes one subpath, so gaps stay gaps. */
function runs(ok: boolean[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  ok.forEach((good, i) => {
    if (good) cur.push(i);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  });
  if (cur.length) out.push(cur);
  return out;
}

/** Splits a note into lines that fit the legend column. */
function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Legend column width from the longest series name (about 7 px a character at 12 px), shared by
 * all panels of a stack so their plot areas line up; capped so the plot keeps most of the width.
 */
function legendWidth(charts: ChartOptions[], width: number): number {
  const longest = charts.reduce((n, c) => c.series.reduce((m, s) => (s.legend === false ? m : Math.max(m, s.name.length)), n), 0);
  return Math.min(Math.round(width * 0.45), Math.max(150, 54 + 7 * longest));
}

/** One panel as a <g> placed at vertical offset `top`; returns markup and the height it used. */
function renderPanel(opts: ChartOptions, width: number, right: number, top: number): { svg: string; height: number } {
  const height = opts.height ?? DEFAULT_HEIGHT;
  const logY = opts.logY ?? false;
  const mTop = opts.title ? 30 : 14;
  const x0 = MARGIN.left;
  const x1 = Math.max(x0 + 40, width - right);
  const y0 = height - MARGIN.bottom;
  const y1 = mTop;

  let skipped = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  const prepared: Prepared[] = opts.series.map((s, i) => {
    checkLengths(s);
    const finiteX = s.x.map((v) => Number.isFinite(v));
    const ok = s.x.map((_, j) => finiteX[j]! && validY(s.y[j], logY));
    const band = s.x.map((_, j) => finiteX[j]! && validY(s.lower?.[j], logY) && validY(s.upper?.[j], logY));
    if (logY) {
      for (const arr of [s.y, s.lower, s.upper]) {
        for (const v of arr ?? []) if (typeof v === 'number' && Number.isFinite(v) && v <= 0) skipped++;
      }
    }
    s.x.forEach((xv, j) => {
      if (ok[j]) ys.push(s.y[j] as number);
      if (band[j]) ys.push(s.lower![j] as number, s.upper![j] as number);
      if (ok[j] || band[j]) xs.push(xv);
    });
    return { series: s, color: s.color ?? PALETTE[i % PALETTE.length]!, ok, band };
  });

  const notes: string[] = opts.note ? [opts.note] : [];
  if (skipped) notes.push(`${skipped} non-positive value${skipped === 1 ? '' : 's'} skipped (log scale)`);
  if (!xs.length) notes.push('no data');

  const [xMin, xMax] = extent(xs);
  const [yMin, yMax] = extent(ys);
  const xTicks = xs.length ? niceTicks(xMin, xMax, 6) : niceTicks(0, 1, 5);
  const maxLogTicks = Math.max(2, Math.floor((y0 - y1) / 18) + 1);
  const yTicks = logY
    ? ys.length ? logTicks(yMin, yMax, maxLogTicks) : logTicks(1, 10)
    : ys.length ? niceTicks(yMin, yMax, 5) : niceTicks(0, 1, 5);
  const xd = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const yd = logY ? [Math.log10(yTicks[0]!), Math.log10(yTicks[yTicks.length - 1]!)] : [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const sx = (v: number) => x0 + ((v - xd[0]!) / (xd[1]! - xd[0]!)) * (x1 - x0);
  const sy = (v: number) => y0 - (((logY ? Math.log10(v) : v) - yd[0]!) / (yd[1]! - yd[0]!)) * (y0 - y1);
  const pt = (xv: number, yv: number) => `${px(sx(xv))} ${px(sy(yv))}`;

  const out: string[] = [`<g class="panel" data-y-scale="${logY ? 'log' : 'linear'}" transform="translate(0 ${px(top)})">`];
  if (opts.title) out.push(`<text x="${px(x0)}" y="18" font-size="14" font-weight="bold">${escapeXml(opts.title)}</text>`);

  out.push(`<g class="grid" stroke="#e5e5e5" stroke-width="1">`);
  for (const t of xTicks) out.push(`<line x1="${px(sx(t))}" y1="${px(y1)}" x2="${px(sx(t))}" y2="${px(y0)}"/>`);
  for (const t of yTicks) out.push(`<line x1="${px(x0)}" y1="${px(sy(t))}" x2="${px(x1)}" y2="${px(sy(t))}"/>`);
  out.push('</g>');

  out.push(`<g class="x-ticks" font-size="11" text-anchor="middle">`);
  for (const t of xTicks) {
    out.push(`<text x="${px(sx(t))}" y="${px(y0 + 16)}">${escapeXml(formatLinearTick(t, xTicks))}</text>`);
  }
  out.push('</g>');
  out.push(`<g class="y-ticks" font-size="11" text-anchor="end">`);
  for (const t of yTicks) {
    const label = logY ? formatLogTick(t, yTicks) : formatLinearTick(t, yTicks);
    out.push(`<text x="${px(x0 - 6)}" y="${px(sy(t) + 4)}">${escapeXml(label)}</text>`);
  }
  out.push('</g>');
  out.push(`<text class="x-label" x="${px((x0 + x1) / 2)}" y="${px(y0 + 36)}" font-size="12" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  const ym = px((y0 + y1) / 2);
  out.push(`<text class="y-label" x="16" y="${ym}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${ym})">${escapeXml(opts.yLabel)}</text>`);

  for (const p of prepared) {
    const s = p.series;
    const name = escapeXml(s.name);
    for (const r of runs(p.band)) {
      if (r.length < 2) continue;
      const upper = r.map((j) => pt(s.x[j]!, s.upper![j] as number));
      const lower = [...r].reverse().map((j) => pt(s.x[j]!, s.lower![j] as number));
      out.push(`<path class="band" data-series="${name}" d="M ${upper.join(' L ')} L ${lower.join(' L ')} Z" fill="${p.color}" fill-opacity="0.18" stroke="none"/>`);
    }
  }
  for (const p of prepared) {
    const s = p.series;
    const name = escapeXml(s.name);
    const segs = runs(p.ok);
    const lines = segs.filter((r) => r.length > 1).map((r) => `M ${r.map((j) => pt(s.x[j]!, s.y[j] as number)).join(' L ')}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (lines.length) {
      out.push(`<path class="line" data-series="${name}" d="${lines.join(' ')}" fill="none" stroke="${p.color}" stroke-width="1.8" stroke-linejoin="round"${dash}/>`);
    }
    // A point between two gaps has no segment to draw; a dot keeps it visible.
    for (const r of segs.filter((r) => r.length === 1)) {
      const j = r[0]!;
      out.push(`<circle class="point" data-series="${name}" cx="${px(sx(s.x[j]!))}" cy="${px(sy(s.y[j] as number))}" r="2.5" fill="${p.color}"/>`);
    }
  }
  const shown = (opts.markers ?? []).filter((m) => Number.isFinite(m.x) && m.x >= xd[0]! && m.x <= xd[1]!);
  if (shown.length) {
    out.push(`<g class="markers" stroke="#888" stroke-width="1" stroke-dasharray="3 3" font-size="10" fill="#666">`);
    for (const m of shown) {
      out.push(`<line class="marker" data-label="${escapeXml(m.label)}" x1="${px(sx(m.x))}" y1="${px(y1)}" x2="${px(sx(m.x))}" y2="${px(y0)}"/>`);
      out.push(`<text class="marker-label" x="${px(sx(m.x) + 3)}" y="${px(y1 + 10)}" stroke="none">${escapeXml(m.label)}</text>`);
    }
    out.push('</g>');
  }
  out.push(`<rect x="${px(x0)}" y="${px(y1)}" width="${px(x1 - x0)}" height="${px(y0 - y1)}" fill="none" stroke="#333" stroke-width="1"/>`);

  const lx = x1 + 14;
  let ly = y1 + 10;
  out.push(`<g class="legend" font-size="12">`);
  for (const p of prepared.filter((q) => q.series.legend !== false)) {
    const dash = p.series.dashed ? ' stroke-dasharray="6 4"' : '';
    if (p.band.some(Boolean)) {
      out.push(`<rect x="${px(lx)}" y="${px(ly - 6)}" width="24" height="12" fill="${p.color}" fill-opacity="0.18"/>`);
    }
    out.push(`<line x1="${px(lx)}" y1="${px(ly)}" x2="${px(lx + 24)}" y2="${px(ly)}" stroke="${p.color}" stroke-width="1.8"${dash}/>`);
    out.push(`<text x="${px(lx + 30)}" y="${px(ly + 4)}">${escapeXml(p.series.name)}</text>`);
    ly += 18;
  }
  out.push('</g>');
  if (notes.length) {
    out.push(`<g class="note" font-size="11" font-style="italic" fill="#666">`);
    ly += 6;
    for (const line of notes.flatMap((n) => wrap(n, Math.max(12, Math.floor((right - 20) / 6))))) {
      out.push(`<text x="${px(lx)}" y="${px(ly)}">${escapeXml(line)}</text>`);
      ly += 14;
    }
    out.push('</g>');
  }
  out.push('</g>');
  return { svg: out.join('\n'), height };
}

/** Several panels one above the other in one SVG, sharing a width (and an optional overall title). */
export function stackCharts(charts: ChartOptions[], opts: StackOptions = {}): string {
  const width = opts.width ?? (charts.reduce((w, c) => Math.max(w, c.width ?? 0), 0) || DEFAULT_WIDTH);
  let top = opts.title ? STACK_TITLE_H : 0;
  const parts: string[] = [];
  if (opts.title) {
    parts.push(`<text x="${px(width / 2)}" y="20" font-size="16" font-weight="bold" text-anchor="middle">${escapeXml(opts.title)}</text>`);
  }
  const right = legendWidth(charts, width);
  for (const c of charts) {
    const { svg, height } = renderPanel(c, width, right, top);
    parts.push(svg);
    top += height;
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(top)}" viewBox="0 0 ${px(width)} ${px(top)}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** A single chart: a stack of one panel. */
export function lineChart(opts: ChartOptions): string {
  return stackCharts([opts], { width: opts.width ?? DEFAULT_WIDTH });
}
