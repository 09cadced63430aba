/** The library surface of evometa: what `import … from 'evometa'` gives. */
export { loadGenome, learnedRule, readBlurGenomeFile, type LearnedRule, type LearnedRuleNetwork } from './workflows/learned_rule.js';
export { initBackend, getTf } from './runtime/backend.js';
export { runSearch, resumeRun } from './engine/engine.js';
export { resolveRunConfig, type RunConfig } from './engine/run_config.js';
export { minimize } from '../strategies/minimize.js';
export { STRATEGIES } from '../strategies/index.js';
export { GENOME_KINDS } from '../genomes/index.js';
export { TASKS } from '../tasks/index.js';
export { Rng, deriveSeed } from './core/rng.js';
export type { Strategy, StrategyState, StrategyOptions } from './core/strategy.js';
export type { Candidate, Evaluation, Bounds, StopReasons, Wants } from './core/types.js';
export type { Task, TaskContext, TaskResult } from './core/task.js';
export type { GenomeKind } from './core/genome_kind.js';
