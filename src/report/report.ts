/**
 * Reads a run folder (finished, running or killed) and turns it into a text summary plus
 * report.svg. Only manifest.json is required: the other files may be absent or cut short,
 * because a report is most wanted exactly when a run died.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { stackCharts } from './svg_plot.js';
import { runPanels } from './report_panels.js';
import { formatDuration, formatNumber } from './format.js';
import type { RunManifest } from '../store/manifest.js';
import type { BestRecord, GenerationRecord, RunSummary } from '../store/run_records.js';
import { isObject } from '../core/config_checks.js';

export interface LoadedRun {
  dir: string;
  runId: string;
  manifest: RunManifest;
  /** In generation order; records superseded by a resume that re-ran generations are dropped. */
  generations: GenerationRecord[];
  best: BestRecord | null;
  summary: RunSummary | null;
  /** Things skipped while reading (partial lines, unreadable optional files), for the report. */
  warnings: string[];
}


/** Optional JSON file: null when absent, a warning (not a throw) when unreadable. */
function readOptionalJson(path: string, name: string, warnings: string[]): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (isObject(v)) return v;
    warnings.push(`${name}: not a JSON object, ignored`);
  } catch (e) {
    warnings.push(`${name}: not valid JSON (${(e as Error).message}), ignored`);
  }
  return null;
}

function readManifest(dir: string): RunManifest {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`;
    throw new UsageError(`${path}: manifest.json ${why}; is ${dir} a run folder (results/<run-id>)?`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: manifest.json is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(v)) throw new UsageError(`${path}: manifest.json must hold a JSON object`);
  if (!isObject(v.config)) throw new UsageError(`${path}: manifest.json has no "config" object`);
  return v as unknown as RunManifest;
}

/**
 * Unparsable lines are skipped anywhere, not only at the end: a run killed mid-write and then
 * resumed leaves its partial line in the middle of the file.
 */
function readGenerations(dir: string, warnings: string[]): GenerationRecord[] {
  const path = join(dir, 'generations.jsonl');
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: GenerationRecord[] = [];
  const bad: number[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      bad.push(i + 1);
      return;
    }
    if (!isObject(v) || typeof v.generation !== 'number') {
      bad.push(i + 1);
      return;
    }
    const rec = v as unknown as GenerationRecord;
    // A resume re-runs generations after its checkpoint: the later records replace the earlier ones.
    while (records.length && records[records.length - 1]!.generation >= rec.generation) records.pop();
    records.push(rec);
  });
  if (bad.length) {
    const where = bad.length === 1 ? `line ${bad[0]}` : `lines ${bad.join(', ')}`;
    warnings.push(`generations.jsonl: skipped unparsable ${where} (partial write from a killed run?)`);
  }
  return records;
}

export function loadRun(dir: string): LoadedRun {
  const manifest = readManifest(dir);
  const warnings: string[] = [];
  const generations = readGenerations(dir, warnings);
  const best = readOptionalJson(join(dir, 'best.json'), 'best.json', warnings) as BestRecord | null;
  const summary = readOptionalJson(join(dir, 'summary.json'), 'summary.json', warnings) as RunSummary | null;
  const runId = typeof manifest.runId === 'string' && manifest.runId ? manifest.runId : basename(dir);
  return { dir, runId, manifest, generations, best, summary, warnings };
}

/** Every k-th record so the table has about `rows` lines, plus the last one. */
function sampleIndices(n: number, rows = 10): number[] {
  if (n === 0) return [];
  const k = Math.max(1, Math.ceil(n / rows));
  const idx: number[] = [];
  for (let i = 0; i < n; i += k) idx.push(i);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

function table(records: GenerationRecord[]): string[] {
  const idx = sampleIndices(records.length);
  const withFail = records.some((r) => typeof r.failures === 'number' && r.failures > 0);
  const withRestart = records.some((r) => typeof r.restart === 'number');
  const header = ['gen', 'evals', 'best', 'median', 'sigma'];
  if (withFail) header.push('fail');
  if (withRestart) header.push('restart');
  const rows = idx.map((i) => {
    const r = records[i]!;
    const row = [String(r.generation), formatNumber(r.evaluations), formatNumber(r.bestFitness), formatNumber(r.medianFitness), formatNumber(r.sigma)];
    if (withFail) row.push(formatNumber(r.failures));
    if (withRestart) row.push(formatNumber(r.restart));
    return row;
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c]!)).join('  ');
  const k = idx.length > 1 ? idx[1]! - idx[0]! : 1;
  const caption = k === 1 ? 'every generation' : `every ${k} generations, plus the last`;
  return [`generations (${caption}):`, line(header), ...rows.map(line)];
}

function str(v: unknown): string {
  return v === undefined || v === null || v === '' ? '-' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** A path as one shell word (quoted where it needs to be). */
export function shellQuote(s: string): string {
  return /^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function summaryText(run: LoadedRun): string {
  const { manifest: m, generations: gens, best, summary } = run;
  const c = m.config;
  const last = gens[gens.length - 1];
  const generations = summary?.generations ?? (last ? last.generation + 1 : 0);
  const evaluations = summary?.evaluations ?? last?.evaluations;
  const seed = m.seed ?? c.seed;
  const used = m.backend?.used ?? 'not recorded';
  const requested = m.backend?.requested ?? c.backend;

  let bestLine: string;
  if (best && typeof best.fitness === 'number') {
    bestLine = `${formatNumber(best.fitness)} at generation ${best.generation}, index ${best.index} (evaluation ${best.evaluation})`;
    if (best.metrics) bestLine += `; ${Object.entries(best.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`;
  } else if (summary && typeof summary.bestFitness === 'number') {
    bestLine = `${formatNumber(summary.bestFitness)} (best.json missing: origin unknown)`;
  } else if (last && typeof last.bestSoFar === 'number') {
    bestLine = `${formatNumber(last.bestSoFar)} (from generations.jsonl; best.json not written yet)`;
  } else bestLine = 'none yet';

  const stop = summary
    ? Object.entries(summary.stopReason ?? {}).map(([k, v]) => `${k}=${formatNumber(v)}`).join(', ') || 'finished (no reason recorded)'
    : `not finished (resume with: evometa resume ${shellQuote(run.dir)})`;

  const progress = [`${generations} generations`, `${formatNumber(evaluations)} evaluations`, `wall ${formatDuration(last?.elapsedMs)}`];
  const failures = gens.reduce((s, r) => s + (typeof r.failures === 'number' ? r.failures : 0), 0);
  if (failures) progress.push(`${failures} failed evaluations`);
  const restarts = gens.reduce((s, r) => Math.max(s, typeof r.restart === 'number' ? r.restart : 0), 0);
  if (restarts) progress.push(`${restarts} restarts`);

  const fields: [string, string][] = [
    ['run', run.runId],
    ['config', `genome ${str(c.genome)} · task ${str(c.task)} · strategy ${str(c.strategy)} · dim ${str(run.manifest.x0?.length ?? c.dim)}`],
    ['seed', str(seed)],
    ['backend', `${used} (requested ${str(requested)})`],
    ['limits', `target ${formatNumber(c.target)} · maxEvals ${formatNumber(c.maxEvals)} · maxGenerations ${formatNumber(c.maxGenerations)}`],
    ['progress', progress.join(' · ')],
    ['best', bestLine],
    ['stop', stop],
  ];
  const lines = fields.map(([k, v]) => `${k.padEnd(9)}${v}`);
  for (const w of run.warnings) lines.push(`warning  ${w}`);
  lines.push('');
  if (gens.length) lines.push(...table(gens));
  else lines.push('no generations logged yet');
  return lines.join('\n') + '\n';
}

function reportSvg(run: LoadedRun): string {
  const c = run.manifest.config;
  const title = `evometa run ${run.runId}: ${str(c.genome)} / ${str(c.task)} / ${str(c.strategy)}`;
  return stackCharts(runPanels(run.generations, str(c.strategy)), { title });
}

/** Writes report.svg into the run folder (via rename, so a viewer never sees half a file). */
export function reportRun(dir: string): { text: string; svgPath: string } {
  const run = loadRun(dir);
  const svgPath = join(dir, 'report.svg');
  const tmp = `${svgPath}.tmp`;
  writeFileSync(tmp, reportSvg(run));
  renameSync(tmp, svgPath);
  return { text: summaryText(run), svgPath };
}
