/**
 * The data a dashboard page draws, read from run folders: each run's summary, its x axes (generation, evaluations,
 * wall time) and the report's panels as y columns over those axes, plus the replay curves found in the folder. Plain
 * JSON, embedded in the HTML report and sent again by `evometa serve` whenever generations.jsonl grows.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isObject } from '../../core/config_checks.js';
import { loadRun, type LoadedRun } from '../report.js';
import { restartMarkers, runPanels, type RunPanel } from '../report_panels.js';
import { runFacts, type RunFacts } from '../report_summary.js';
import { PALETTE } from '../svg_plot.js';
import { replayPanel } from '../../workflows/replay/replay_panel.js';
import type { ReplayResult } from '../../workflows/replay/replay_blur.js';

/** Which x a chart is drawn over; each run carries all three, the page switches between them. */
export type XAxisName = 'evaluations' | 'generation' | 'wall';

export const X_AXIS_LABEL: Readonly<Record<XAxisName, string>> = { evaluations: 'evaluations', generation: 'generation', wall: 'wall time (s)' };

export interface PanelSeriesData {
  name: string;
  /** One value per generation record of the run (null: not recorded, drawn as a gap). */
  y: (number | null)[];
  dashed?: boolean;
  /** Left out of the legend (one of many coordinates). */
  legend?: boolean;
}

export interface PanelData {
  key: RunPanel['key'];
  title: string;
  yLabel: string;
  logY: boolean;
  note?: string;
  series: PanelSeriesData[];
}

/** A replay's accuracy curves (replay.json in the run folder or a folder inside it). */
export interface ReplayData {
  /** replay.json's path relative to the run folder. */
  file: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: { name: string; y: number[]; lower: number[]; upper: number[] }[];
}

export interface DashboardRun {
  id: string;
  facts: RunFacts;
  /** The report's x axis for this run's strategy (generations for gradient strategies, else evaluations). */
  defaultX: XAxisName;
  x: Record<XAxisName, number[]>;
  /** Indices of the generation records where a restart begins, with their labels. */
  restarts: { index: number; label: string }[];
  panels: PanelData[];
  replays: ReplayData[];
  warnings: string[];
}

export interface DashboardData {
  title: string;
  palette: readonly string[];
  xLabels: Readonly<Record<XAxisName, string>>;
  runs: DashboardRun[];
}

function replayFiles(dir: string): string[] {
  const files = existsSync(join(dir, 'replay.json')) ? [join(dir, 'replay.json')] : [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const f = join(dir, entry.name, 'replay.json');
    if (existsSync(f) && statSync(f).isFile()) files.push(f);
  }
  return files;
}

/** A replay.json as chart data; one that does not hold a replay result is a warning, not an error. */
function readReplay(dir: string, file: string, warnings: string[]): ReplayData | null {
  const name = relative(dir, file);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    warnings.push(`${name}: not valid JSON (${(e as Error).message}), ignored`);
    return null;
  }
  const ok = isObject(v) && typeof v.task === 'string' && Array.isArray(v.evalAt) && Array.isArray(v.methods)
    && v.methods.every((m) => isObject(m) && typeof m.method === 'string' && Array.isArray(m.mean) && Array.isArray(m.std));
  if (!ok) {
    warnings.push(`${name}: not a replay result (task, evalAt, methods with mean and std), ignored`);
    return null;
  }
  const result = v as unknown as ReplayResult;
  const panel = replayPanel(result);
  return {
    file: name,
    title: panel.title!,
    xLabel: panel.xLabel,
    yLabel: panel.yLabel,
    x: result.evalAt,
    series: panel.series.map((s) => ({ name: s.name, y: s.y as number[], lower: s.lower as number[], upper: s.upper as number[] })),
  };
}

/** The dashboard data of one loaded run. */
export function dashboardRun(run: LoadedRun): DashboardRun {
  const g = run.generations;
  const panels = runPanels(g, String(run.manifest.config.strategy ?? ''));
  const warnings = [...run.warnings];
  return {
    id: run.runId,
    facts: runFacts(run),
    defaultX: panels[0]?.xLabel === 'generation' ? 'generation' : 'evaluations',
    x: {
      evaluations: g.map((r) => r.evaluations),
      generation: g.map((r) => r.generation),
      wall: g.map((r) => (typeof r.elapsedMs === 'number' ? r.elapsedMs / 1000 : NaN)),
    },
    restarts: restartMarkers(g, g.map((_, i) => i)).map((m) => ({ index: m.x, label: m.label })),
    panels: panels.map((p) => ({
      key: p.key,
      title: p.title ?? p.key,
      yLabel: p.yLabel,
      logY: p.logY === true,
      ...(p.note ? { note: p.note } : {}),
      series: p.series.map((s) => ({ name: s.name, y: s.y, ...(s.dashed ? { dashed: true } : {}), ...(s.legend === false ? { legend: false } : {}) })),
    })),
    replays: replayFiles(run.dir).map((f) => readReplay(run.dir, f, warnings)).filter((r): r is ReplayData => r !== null),
    warnings,
  };
}

/** The dashboard data of the run folders `dirs`, in the order given (a UsageError names a folder that is not a run). */
export function dashboardData(dirs: readonly string[], title?: string): DashboardData {
  const runs = dirs.map((d) => dashboardRun(loadRun(d)));
  return {
    title: title ?? (runs.length === 1 ? `evometa run ${runs[0]!.id}` : `evometa: ${runs.length} runs`),
    palette: PALETTE,
    xLabels: X_AXIS_LABEL,
    runs,
  };
}
