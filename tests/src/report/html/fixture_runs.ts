/** Run folders written by hand for the dashboard tests: known records, so charts and numbers can be asserted. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';

export interface FixtureRun {
  generations?: number;
  strategy?: string;
  task?: string;
  /** Restart index changes at this generation (ipop-style), if given. */
  restartAt?: number;
  /** With per-coordinate scales and mean of this dimension. */
  dim?: number;
  metrics?: boolean;
  finished?: boolean;
  /** A run.lock naming this process: the run reads as running. */
  running?: boolean;
  /** A replay.json in the subfolder `replay` (learned rule and SGD over 3 measurement points). */
  replay?: boolean;
}

/** Generation g: best 10^(-g/4), median twice that, σ 1/(g+1), 8 evaluations and 50 ms each. */
export function fixtureRecord(g: number, o: FixtureRun = {}): Record<string, unknown> {
  const best = 10 ** (-g / 4);
  const dim = o.dim ?? 0;
  return {
    generation: g, evaluations: (g + 1) * 8, bestFitness: best, medianFitness: 2 * best, bestSoFar: best, sigma: 1 / (g + 1),
    popsize: 8, failures: 0, axisRatio: 1 + g / 10,
    ...(o.restartAt !== undefined ? { restart: g >= o.restartAt ? 1 : 0 } : {}),
    ...(dim ? { scales: Array.from({ length: dim }, (_, i) => (i + 1) / (g + 1)), mean: Array.from({ length: dim }, (_, i) => i - g / 100) } : {}),
    ...(o.metrics ? { bestMetrics: { accuracy: Math.min(1, 0.5 + g / 100) } } : {}),
    wallMs: 50, elapsedMs: (g + 1) * 50,
  };
}

/** Writes run folder `root/name`; returns its path. */
export function writeFixtureRun(root: string, name: string, o: FixtureRun = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const n = o.generations ?? 20;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    format: 'evometa-run', runId: name, createdAt: '2026-01-01T00:00:00.000Z', command: 'evometa search',
    config: { genome: 'vector', dim: o.dim ?? 2, task: o.task ?? 'sphere', strategy: o.strategy ?? 'cmaes', seed: 7, maxEvals: 1000, maxGenerations: null, target: null, backend: 'auto' },
    seed: 7, versions: {}, backend: { requested: 'auto', used: null }, git: { commit: null, dirty: null },
  }));
  writeFileSync(join(dir, 'generations.jsonl'), Array.from({ length: n }, (_, g) => JSON.stringify(fixtureRecord(g, o)) + '\n').join(''));
  const last = 10 ** (-(n - 1) / 4);
  writeFileSync(join(dir, 'best.json'), JSON.stringify({ fitness: last, x: [0, 0], genome: [0, 0], generation: n - 1, index: 0, evaluation: n * 8 }));
  if (o.finished) writeFileSync(join(dir, 'summary.json'), JSON.stringify({ evaluations: n * 8, bestFitness: last, generations: n, stopReason: { maxEvaluations: 1000 }, runDir: '.' }));
  if (o.running) writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'test', since: new Date().toISOString(), started: null, token: 'test' }));
  if (o.replay) {
    mkdirSync(join(dir, 'replay'), { recursive: true });
    writeFileSync(join(dir, 'replay', 'replay.json'), JSON.stringify({
      task: 'xor', sizes: [2, 4, 1], evalAt: [0, 5, 10],
      methods: [{ method: 'blur', accuracy: [[0.5, 0.8, 0.95]], mean: [0.5, 0.8, 0.95], std: [0, 0.05, 0.02] }, { method: 'sgd', learningRate: 0.1, accuracy: [[0.5, 0.6, 0.7]], mean: [0.5, 0.6, 0.7], std: [0, 0.1, 0.05] }],
    }));
  }
  return dir;
}

/** Appends generation `g` to the run's generations.jsonl, as the engine does after a generation. */
export function appendGeneration(dir: string, g: number, o: FixtureRun = {}): void {
  appendFileSync(join(dir, 'generations.jsonl'), JSON.stringify(fixtureRecord(g, o)) + '\n');
}
