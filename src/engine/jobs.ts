/** Candidates → jobs: plain data naming the task and genome kind, which any evaluator (thread or machine) can run. */
import { deriveSeed } from '../core/rng.js';
import type { Candidate } from '../core/types.js';
import type { EvalItem, EvalJob } from '../evaluator/protocol.js';
import type { Resolved } from './resolve.js';
import type { RunConfig } from './run_config.js';

/**
 * A task with a population axis gets chunks of `evalBatch` genomes (fixed size, so the chunking never depends
 * on the worker count) that share the generation's seed; otherwise one job per candidate, seeded by its seed index.
 */
export function buildJobs(config: RunConfig, r: Pick<Resolved, 'kindConfig' | 'taskConfig' | 'batchable'>, generation: number, candidates: readonly Candidate[], genomes: readonly unknown[]): EvalJob[] {
  const common = { genomeKind: config.genome, genomeConfig: r.kindConfig, task: { name: config.task, config: r.taskConfig }, generation, timeoutMs: config.timeoutMs, backend: config.backend };
  const items: EvalItem[] = candidates.map((c, i) => ({ index: c.index, genome: genomes[i], wants: c.wants, seed: deriveSeed(config.seed, 'eval', generation, c.seedIndex ?? c.index) }));
  if (r.batchable && candidates.every((c) => c.wants === 'fitness')) {
    const seed = deriveSeed(config.seed, 'eval', generation, 'batch');
    const jobs: EvalJob[] = [];
    for (let k = 0; k < items.length; k += config.evalBatch) jobs.push({ ...common, items: items.slice(k, k + config.evalBatch), batched: true, seed });
    return jobs;
  }
  return items.map((item) => ({ ...common, items: [item], batched: false, seed: item.seed }));
}
