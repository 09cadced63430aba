/**
 * Settings of a continual few-shot learner (Vladymyrov, Zhmoginov, Sandler, "Continual HyperTransformer", TMLR 2024):
 * which learner, how wide its embedding is, which candidate set its prototypical loss uses and how many tasks one
 * training sequence unrolls. The HyperTransformer's own settings stay an HtConfig, so the `ht-hparams` genome searches
 * a continual learner exactly as it searches an HT.
 */
import { UsageError } from '../../../core/errors.js';
import { rejectUnknownKeys } from '../../../core/config_checks.js';

/**
 * - `cht`: the Continual HyperTransformer, θ_t = HT(S_t, θ_{t−1}); the weights carry the memory of past tasks.
 * - `ht`: the same HyperTransformer regenerating from scratch for each task, θ_t = HT(S_t, 0): no memory.
 * - `protonet`: the same CNN with ordinary trained weights, one fixed embedding for all tasks.
 */
export const CONTINUAL_KINDS = ['cht', 'ht', 'protonet'] as const;
export type ContinualKind = (typeof CONTINUAL_KINDS)[number];

/**
 * Which prototypes a query of task τ competes among after task t (§3 of the paper): its own task's classes
 * (task-incremental, the task identity is given) or every class of tasks 1 … t (class-incremental).
 */
export const SCENARIOS = ['task-incremental', 'class-incremental'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ContinualSettings {
  /** Width of the embedding the CNN's last (generated) layer outputs; prototypes live in this space. */
  embedding: number;
  /** Candidate set of the training loss. */
  scenario: Scenario;
  /** Tasks one training sequence unrolls (the loss back-propagates through all of them). */
  tasks: number;
}

export const CONTINUAL_DEFAULTS: ContinualSettings = { embedding: 16, scenario: 'class-incremental', tasks: 4 };

/** Defaults filled in, every field checked; errors name the field and the fix. */
export function resolveContinualSettings(raw: Record<string, unknown>, where = 'continual'): ContinualSettings {
  rejectUnknownKeys(raw, Object.keys(CONTINUAL_DEFAULTS), where);
  const embedding = raw['embedding'] ?? CONTINUAL_DEFAULTS.embedding;
  if (typeof embedding !== 'number' || !Number.isInteger(embedding) || embedding < 1 || embedding > 1024)
    throw new UsageError(`${where}: 'embedding' must be an integer in [1, 1024] (got ${JSON.stringify(embedding)})`);
  const scenario = raw['scenario'] ?? CONTINUAL_DEFAULTS.scenario;
  if (typeof scenario !== 'string' || !(SCENARIOS as readonly string[]).includes(scenario))
    throw new UsageError(`${where}: 'scenario' must be one of ${SCENARIOS.join(', ')} (got ${JSON.stringify(scenario)})`);
  const tasks = raw['tasks'] ?? CONTINUAL_DEFAULTS.tasks;
  if (typeof tasks !== 'number' || !Number.isInteger(tasks) || tasks < 1 || tasks > 64)
    throw new UsageError(`${where}: 'tasks' must be an integer in [1, 64] (got ${JSON.stringify(tasks)})`);
  return { embedding, scenario: scenario as Scenario, tasks };
}

export function isContinualKind(v: unknown): v is ContinualKind {
  return typeof v === 'string' && (CONTINUAL_KINDS as readonly string[]).includes(v);
}
