/** The library surface of evometa: what `import … from 'evometa'` gives. */
export { loadGenome, learnedRule, readBlurGenomeFile, type LearnedRule, type LearnedRuleNetwork } from './learned_rule.js';
export { initBackend, getTf } from './backend.js';
export { runSearch, resumeRun } from './engine.js';
export { resolveRunConfig, type RunConfig } from './run_config.js';
export { minimize } from '../strategies/minimize.js';
export { STRATEGIES } from '../strategies/index.js';
export { GENOME_KINDS } from '../genomes/index.js';
export { TASKS } from '../tasks/index.js';
export { Rng, deriveSeed } from './rng.js';
export type { Strategy, StrategyState, Candidate, Evaluation } from '../strategies/strategy.js';
export type { Task } from '../tasks/task.js';
export type { GenomeKind } from '../genomes/genome_kind.js';
