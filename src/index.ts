/**
 * The library surface of evometa: what `import … from 'evometa'` gives. It loads no TensorFlow.js: tasks that
 * use it load it inside their evaluation, and the TensorFlow.js side (backends, models, the learned-rule API,
 * replay) is `evometa/tf` (src/tf.ts). `getTf` here returns the instance once something has loaded it.
 */
// pycma-style minimisation and ask/tell (each registered strategy takes numbers or evaluations in `tell`).
export { minimize, MINIMIZE_OPTION_KEYS, type GenerationInfo, type MinimizeOptions, type MinimizeResult, type Objective } from './minimize.js';
export {
  STRATEGIES, cmaes, sepCmaes, ipopCmaes, bipopCmaes, metagrad, esGrad, gaOrdering, checkedStrategy, numberEvaluation,
  type CheckedOptions, type CheckedStrategy, type FitnessInput, type InjectionSupport,
} from '../strategies/index.js';
// A search with plug-ins: runSearch(config, runDir, { plugins: ['./my_task.mjs'] }); the registry is built here.
export { runSearch, resumeRun, type SearchOptions, type ResumeSearchOptions } from './search.js';
export { BUILTIN_PLUGIN, builtinRegistry, evaluatorsFor, loadRegistry, registryForRun, type LoadedRegistry, type LoadRegistryOptions } from './plugins.js';
export { definePlugin, type Plugin, type Registry } from './core/plugin.js';
// The engine itself, handed a registry: runSearch(config, runDir, { registry, evaluators, hooks, command }).
export { runSearch as runSearchWithRegistry, resumeRun as resumeRunWithRegistry, type EngineHooks, type EngineOptions, type RunSummary, type GenerationRecord } from './engine/engine.js';
export { resolveRunConfig, RUN_OPTIONS, type RunConfig } from './engine/run_config.js';
export { GENOME_KINDS } from '../genomes/index.js';
export { TASKS } from '../tasks/index.js';
// Genome files (one envelope for every kind), run folders and their reports.
export {
  readGenomeFile, writeGenomeFile, parseGenomeFile, genomeFileJson, formatGenomeFile, GENOME_FILE_FORMAT, GENOME_FILE_VERSION,
  type GenomeFileContents, type GenomeFileJson, type GenomeFileMeta, type ReadGenomeOptions,
} from './core/genome_file.js';
export { RunStore, RUN_FILES } from './store/run_store.js';
export { readManifest, type RunManifest } from './store/manifest.js';
export { runPoint, type RunPoint } from './store/run_point.js';
export { exportRunPoint } from './store/run_export.js';
export { reportRun, loadRun, type LoadedRun } from './report/report.js';
export type { BestRecord, Checkpoint } from './store/run_records.js';
// TensorFlow.js, loaded only when asked for: getTf() throws until initBackend (or a worker, for a task with
// usesTensorflow: true) has loaded it.
export { getTf, isTfLoaded } from './runtime/tf_handle.js';
export { initBackend } from './runtime/lazy_backend.js';
export { BACKEND_NAMES, BACKEND_REQUESTS, type BackendName, type BackendRequest } from './runtime/backend_names.js';
// What a plug-in needs beside definePlugin.
export { Rng, deriveSeed, type RngState } from './core/rng.js';
export { UsageError } from './core/errors.js';
export { configNumber, rejectUnknownKeys } from './core/config_checks.js';
export type { Strategy, StrategyState, StrategyOptions, WarmStart, AskedMarker } from './core/strategy.js';
export type { Candidate, Evaluation, EvalStatus, Bounds, StopReasons, Wants } from './core/types.js';
export type { Task, TaskContext, TaskResult } from './core/task.js';
export type { GenomeKind } from './core/genome_kind.js';
export type { CategoricalSpace } from './core/categorical.js';
