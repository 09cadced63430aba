/** The library surface of evometa: what `import … from 'evometa'` gives. */
export { loadGenome, learnedRule, readBlurGenomeFile, type LearnedRule, type LearnedRuleNetwork } from './workflows/learned_rule.js';
export { initBackend, getTf } from './runtime/backend.js';
// A search with plug-ins: runSearch(config, runDir, { plugins: ['./my_task.mjs'] }); the registry is built here.
export { runSearch, resumeRun, type SearchOptions, type ResumeSearchOptions } from './search.js';
export { BUILTIN_PLUGIN, builtinRegistry, evaluatorsFor, loadRegistry, type LoadedRegistry, type LoadRegistryOptions } from './plugins.js';
export { definePlugin, type Plugin, type Registry } from './core/plugin.js';
// The engine itself, handed a registry: runSearch(config, runDir, { registry, evaluators, hooks, command }).
export { runSearch as runSearchWithRegistry, resumeRun as resumeRunWithRegistry, type EngineHooks, type EngineOptions, type RunSummary, type GenerationRecord } from './engine/engine.js';
export { resolveRunConfig, type RunConfig } from './engine/run_config.js';
export { minimize } from '../strategies/minimize.js';
export { STRATEGIES } from '../strategies/index.js';
export { GENOME_KINDS } from '../genomes/index.js';
export { TASKS } from '../tasks/index.js';
export { Rng, deriveSeed, type RngState } from './core/rng.js';
export { UsageError } from './core/errors.js';
export { configNumber, rejectUnknownKeys } from './core/config_checks.js';
export type { Strategy, StrategyState, StrategyOptions } from './core/strategy.js';
export type { Candidate, Evaluation, Bounds, StopReasons, Wants } from './core/types.js';
export type { Task, TaskContext, TaskResult } from './core/task.js';
export type { GenomeKind } from './core/genome_kind.js';
