/**
 * The panels of report.svg, after pycma's plot (`cma.plot()`): f − f_best and the best and median f on log axes,
 * σ with the axis ratio, the per-coordinate scales σ·√C_ii and the mean (where the run recorded them), the task's
 * metrics of each generation's best (accuracies), and the wall time. The x axis is evaluations, as in pycma, except
 * for gradient strategies, whose generations are the natural unit (one meta-gradient each); restarts of IPOP/BIPOP
 * are marked on every panel.
 */
import type { ChartOptions, Marker, Series } from './svg_plot.js';
import type { GenerationRecord } from '../store/run_records.js';

/** A panel of a run's report; `key` names it across runs, so a dashboard can overlay the same panel of several runs. */
export interface RunPanel extends ChartOptions {
  key: 'f-minus-best' | 'f' | 'sigma' | 'scales' | 'mean' | 'metrics' | 'wall';
}

/** Strategies whose progress is counted in generations (gradient steps) rather than evaluations. */
export const GENERATION_AXIS_STRATEGIES: readonly string[] = ['metagrad', 'es-grad'];

/** Coordinates named in the legend of the scales and mean panels; the others are drawn without a legend entry. */
const LEGEND_COORDINATES = 8;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Fitness may be negated accuracy (negative), so log scale only when every value allows it. */
function allPositive(...cols: (number | null)[][]): boolean {
  const vals = cols.flat().filter((v): v is number => v !== null);
  return vals.length > 0 && vals.every((v) => v > 0);
}

/**
 * A marker where each restart begins. The wrapper restarts at the end of a generation's `tell`, so the first record
 * carrying the new restart index is the last generation of the run before, already with the new σ and distribution.
 */
export function restartMarkers(g: readonly GenerationRecord[], x: readonly number[]): Marker[] {
  const out: Marker[] = [];
  for (let i = 1; i < g.length; i++) {
    const r = g[i]!.restart;
    if (typeof r === 'number' && r !== g[i - 1]!.restart) out.push({ x: x[i]!, label: `restart ${r}` });
  }
  return out;
}

/** One series per coordinate of a per-generation vector field (scales, mean); null where a record lacks it. */
function coordinateSeries(g: readonly GenerationRecord[], x: number[], field: 'scales' | 'mean'): { series: Series[]; note?: string } {
  const n = g.reduce((m, r) => Math.max(m, r[field]?.length ?? 0), 0);
  const series = Array.from({ length: n }, (_, i): Series => ({
    name: `x${i}`,
    x,
    y: g.map((r) => num(r[field]?.[i])),
    ...(i >= LEGEND_COORDINATES ? { legend: false } : {}),
  }));
  return { series, ...(n > LEGEND_COORDINATES ? { note: `${n} coordinates; the legend names the first ${LEGEND_COORDINATES}` } : {}) };
}

/** Every metric key the generations' best candidates carry, in first-seen order. */
function metricKeys(g: readonly GenerationRecord[]): string[] {
  const keys = new Set<string>();
  for (const r of g) for (const k of Object.keys(r.bestMetrics ?? {})) keys.add(k);
  return [...keys];
}

/** The report's panels for a run's generation records; `strategy` picks the x axis. */
export function runPanels(g: readonly GenerationRecord[], strategy: string): RunPanel[] {
  const byGeneration = GENERATION_AXIS_STRATEGIES.includes(strategy);
  const x = g.map((r) => (byGeneration ? r.generation : r.evaluations));
  const xLabel = byGeneration ? 'generation' : 'evaluations';
  const markers = restartMarkers(g, x);
  const panel = (p: Omit<RunPanel, 'xLabel' | 'markers'>): RunPanel => ({ ...p, xLabel, ...(markers.length ? { markers } : {}) });

  const best = g.map((r) => num(r.bestFitness));
  const median = g.map((r) => num(r.medianFitness));
  const bestSoFar = g.map((r) => num(r.bestSoFar));
  const fBest = Math.min(...bestSoFar.filter((v): v is number => v !== null));
  const minus = (col: (number | null)[]) => col.map((v) => (v === null || !Number.isFinite(fBest) ? null : v - fBest));
  const logFit = allPositive(best, median, bestSoFar);
  const panels: RunPanel[] = [
    panel({
      key: 'f-minus-best',
      title: 'f − f_best (log scale; f_best: the best f of the run)',
      yLabel: 'f − f_best',
      logY: true,
      series: [
        { name: 'best of generation', x, y: minus(best) },
        { name: 'median of generation', x, y: minus(median) },
      ],
    }),
    panel({
      key: 'f',
      title: `Best and median f${logFit ? ' (log scale)' : ''}`,
      yLabel: 'f',
      logY: logFit,
      series: [
        { name: 'best of generation', x, y: best },
        { name: 'median of generation', x, y: median },
        { name: 'best so far', x, y: bestSoFar, dashed: true },
      ],
    }),
  ];
  const axisRatio = g.map((r) => num(r.axisRatio));
  panels.push(panel({
    key: 'sigma',
    title: `Step size σ${axisRatio.some((v) => v !== null) ? ' and axis ratio' : ''} (log scale)`,
    yLabel: 'σ, axis ratio',
    logY: true,
    series: [{ name: 'sigma', x, y: g.map((r) => num(r.sigma)) }, ...(axisRatio.some((v) => v !== null) ? [{ name: 'axis ratio', x, y: axisRatio }] : [])],
  }));
  if (g.some((r) => r.scales)) {
    const c = coordinateSeries(g, x, 'scales');
    panels.push(panel({ key: 'scales', title: 'Per-coordinate scales σ·√C_ii (log scale)', yLabel: 'σ·√C_ii', logY: true, series: c.series, ...(c.note ? { note: c.note } : {}) }));
  }
  if (g.some((r) => r.mean)) {
    const c = coordinateSeries(g, x, 'mean');
    panels.push(panel({ key: 'mean', title: 'Mean of the search distribution', yLabel: 'mean', series: c.series, ...(c.note ? { note: c.note } : {}) }));
  }
  const metrics = metricKeys(g);
  if (metrics.length) {
    panels.push(panel({
      key: 'metrics',
      title: 'Task metrics of the best of each generation',
      yLabel: 'metric',
      series: metrics.map((k) => ({ name: k, x, y: g.map((r) => num(r.bestMetrics?.[k])) })),
    }));
  }
  panels.push(panel({ key: 'wall', title: 'Wall time per generation', yLabel: 'ms', series: [{ name: 'wall ms', x, y: g.map((r) => num(r.wallMs)) }] }));
  return panels;
}
