/**
 * The plug-in contract. A plug-in is an ES module whose default export is `definePlugin({ tasks, genomes,
 * strategies })`. Worker threads, resumed runs and (later) workers on other machines cannot receive a
 * function, only a module specifier: every task, genome kind and strategy therefore comes from a module that
 * any of them can import, and each builds the same registry from the same specifiers.
 */
import type { GenomeKind } from './genome_kind.js';
import type { Strategy } from './strategy.js';
import type { Task } from './task.js';

export interface Plugin {
  readonly tasks?: readonly Task<any, any>[];
  readonly genomes?: readonly GenomeKind<any, any>[];
  readonly strategies?: readonly Strategy<any>[];
}

/** Marks a module's default export as a plug-in; the loader checks its shape when it imports it. */
export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin;
}

/**
 * The names a run can use: the built-ins plus the user's plug-ins, as loaded in this process or thread.
 * The engine, evaluators and store are handed one; they never import a plug-in themselves.
 */
export interface Registry {
  readonly tasks: Readonly<Record<string, Task<any, any>>>;
  readonly genomes: Readonly<Record<string, GenomeKind<any, any>>>;
  readonly strategies: Readonly<Record<string, Strategy<any>>>;
  /**
   * The user's plug-ins this registry was built from, resolved (absolute file URLs or package names) and in
   * load order: what a worker, a resumed run or another machine imports to build the same registry.
   */
  readonly plugins: readonly string[];
}
