/**
 * `evometa replay`: train fresh networks with a learned rule and, on the same architecture, data stream and
 * seeds, with tfjs SGD and Adam (learning rates picked on a validation split); test accuracy against inner
 * steps, with the spread over seeds, as a table, JSON and an SVG plot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed, Rng } from '../../core/rng.js';
import { UsageError } from '../../core/errors.js';
import { getTf } from '../../runtime/backend.js';
import { learnedRule } from '../learned_rule.js';
import { oneHot, sampleBatch } from '../../data/image_dataset.js';
import { accuracy, trainBaseline, tuneLearningRate, type AccuracyCurve, type BaselineOptimizer } from './mlp_baseline.js';
import { fileSaveHandler } from '../../models/nn/layers_model_io.js';
import { lineChart } from '../../report/svg_plot.js';
import { REPLAY_METHOD_LABEL, replayPanel } from './replay_panel.js';
import { mean as mathMean, std as mathStd } from 'mathjs';
import type { ReplayData } from './replay_data.js';
import type { BlurGenome } from '../../../genomes/blur_genome.js';
import type { BlurOutputEncoding } from '../../../tasks/blur/blur_training_setting.js';

export type ReplayMethod = 'blur' | BaselineOptimizer;

export interface ReplayOptions {
  hidden: number[];
  /**
   * How the rule's targets are encoded: 'signed' (one output, ±1; two classes only) or 'one-hot' (one output per
   * class); the baselines get the same number of outputs. Default 'one-hot'.
   */
  outputs?: BlurOutputEncoding;
  steps: number;
  batchSize: number;
  seeds: number;
  /** Base seed: seed s uses deriveSeed(seed, 'replay', s). */
  seed: number;
  compare: BaselineOptimizer[];
  /** Steps at which test accuracy is measured. */
  evalAt: number[];
  /** Save the first seed's trained rule network here as a LayersModel. */
  exportDir: string | null;
  /** Called after each finished (method, seed) with a short label, for progress. */
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface MethodResult {
  method: ReplayMethod;
  /** Chosen on the validation split (baselines only). */
  learningRate?: number;
  tried?: { learningRate: number; validationAccuracy: number }[];
  /** accuracy[seed][evalIndex] */
  accuracy: number[][];
  mean: number[];
  std: number[];
}

export interface ReplayResult {
  task: string;
  sizes: number[];
  evalAt: number[];
  methods: MethodResult[];
}

/** Default measurement points: every step up to 10 steps, else a 1-2-5 ladder up to the step count, always including it. */
export function defaultEvalAt(steps: number): number[] {
  if (steps <= 10) return Array.from({ length: steps + 1 }, (_, i) => i);
  const out = [0];
  for (let d = 1; d <= steps; d *= 10) for (const m of [1, 2, 5]) if (m * d <= steps && m * d >= 10) out.push(m * d);
  if (out.at(-1) !== steps) out.push(steps);
  return out;
}

function trainRule(genome: BlurGenome, data: ReplayData, sizes: number[], o: ReplayOptions, seed: number, exportDir: string | null): Promise<AccuracyCurve> {
  const tf = getTf();
  const net = learnedRule(genome).network(sizes, { seed: deriveSeed(seed, 'init') });
  const batches = new Rng(deriveSeed(seed, 'batches'));
  const marks = new Set(o.evalAt);
  const curve: AccuracyCurve = { steps: [], accuracy: [] };
  const record = (step: number) => {
    curve.steps.push(step);
    curve.accuracy.push(accuracy(tf, (x) => net.predict(x), data.test));
  };
  try {
    if (marks.has(0)) record(0);
    for (let step = 1; step <= o.steps; step++) {
      const b = sampleBatch(data.train, o.batchSize, batches, { replace: true });
      net.step(b.x, sizes.at(-1) === 1 ? Float32Array.from(b.labels, (l) => (l > 0 ? 1 : -1)) : oneHot(b.labels, data.classes, { negative: -1 }));
      if (marks.has(step)) record(step);
    }
    if (exportDir) {
      const model = net.toLayersModel();
      return model.save(fileSaveHandler(tf, exportDir)).then(() => {
        model.dispose();
        return curve;
      });
    }
    return Promise.resolve(curve);
  } finally {
    net.dispose();
  }
}

/** Per measurement point, over seeds: mean and sample standard deviation (0 for a single seed). */
function meanStd(rows: number[][]): { mean: number[]; std: number[] } {
  const columns = rows[0]!.map((_, j) => rows.map((r) => r[j]!));
  return {
    mean: columns.map((c) => mathMean(c) as number),
    std: columns.map((c) => (c.length > 1 ? (mathStd(c) as unknown as number) : 0)),
  };
}

/** The output layer's size: one ±1 output for 'signed' (a two-class task only), else one per class. */
export function outputSize(outputs: BlurOutputEncoding, data: Pick<ReplayData, 'name' | 'classes'>): number {
  if (outputs === 'one-hot') return data.classes;
  if (data.classes !== 2) throw new UsageError(`a signed output (one ±1 output) needs a two-class task, but ${data.name} has ${data.classes} classes; use --outputs one-hot`);
  return 1;
}

export async function replayRule(genome: BlurGenome, data: ReplayData, o: ReplayOptions): Promise<ReplayResult> {
  const tf = getTf();
  const sizes = [data.inputs, ...o.hidden, outputSize(o.outputs ?? 'one-hot', data)];
  const methods: MethodResult[] = [];
  const total = o.seeds * (1 + o.compare.length);
  let done = 0;
  const seedOf = (s: number) => deriveSeed(o.seed, 'replay', s);

  const rule: number[][] = [];
  for (let s = 0; s < o.seeds; s++) {
    rule.push((await trainRule(genome, data, sizes, o, seedOf(s), s === 0 ? o.exportDir : null)).accuracy);
    o.onProgress?.(++done, total, `rule seed ${s}`);
  }
  methods.push({ method: 'blur', accuracy: rule, ...meanStd(rule) });

  for (const optimizer of o.compare) {
    const common = { sizes, optimizer, steps: o.steps, batchSize: o.batchSize };
    const tuned = tuneLearningRate(tf, data.train, data.validation, { ...common, seed: deriveSeed(o.seed, 'tune', optimizer) });
    const acc: number[][] = [];
    for (let s = 0; s < o.seeds; s++) {
      acc.push(trainBaseline(tf, data.train, data.test, { ...common, learningRate: tuned.learningRate, seed: seedOf(s), evalAt: o.evalAt }).accuracy);
      o.onProgress?.(++done, total, `${optimizer} seed ${s}`);
    }
    methods.push({ method: optimizer, learningRate: tuned.learningRate, tried: tuned.tried, accuracy: acc, ...meanStd(acc) });
  }
  return { task: data.name, sizes, evalAt: o.evalAt.filter((v) => v <= o.steps), methods };
}

export function replayTable(r: ReplayResult): string {
  const head = ['step', ...r.methods.map((m) => `${REPLAY_METHOD_LABEL[m.method]}${m.learningRate !== undefined ? ` (lr ${m.learningRate})` : ''}`)];
  const rows = r.evalAt.map((step, j) => [String(step), ...r.methods.map((m) => `${(100 * m.mean[j]!).toFixed(1)} ± ${(100 * m.std[j]!).toFixed(1)}`)]);
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i]!)).join('  ');
  return [`test accuracy (%) on ${r.task}, sizes ${r.sizes.join('-')}, mean ± std over ${r.methods[0]!.accuracy.length} seeds`, line(head), ...rows.map(line)].join('\n');
}

export function replaySvg(r: ReplayResult): string {
  return lineChart(replayPanel(r));
}

/** Writes replay.json and replay.svg into `dir`; returns their paths. */
export function writeReplay(dir: string, r: ReplayResult, meta: Record<string, unknown>): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'replay.json');
  const svg = join(dir, 'replay.svg');
  writeFileSync(json, JSON.stringify({ ...meta, ...r }, null, 1) + '\n');
  writeFileSync(svg, replaySvg(r));
  return { json, svg };
}
