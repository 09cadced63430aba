/**
 * The plug-in contract. A plug-in is an ES module whose default export (or named `plugin` export) is
 * `definePlugin({ tasks, genomes, strategies })`. Worker threads, resumed runs and (later) workers on other
 * machines cannot receive a function, only a module specifier: every task, genome kind and strategy therefore
 * comes from a module that any of them can import, and each builds the same registry from the same specifiers.
 */
import { UsageError } from './errors.js';
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

/** The three sections of a plug-in, as they are named in the module and in a registry. */
export const PLUGIN_SECTIONS = ['tasks', 'genomes', 'strategies'] as const;
export type PluginSection = (typeof PLUGIN_SECTIONS)[number];

/** What one item of a section is called in messages. */
export const SECTION_ITEM: Readonly<Record<PluginSection, string>> = { tasks: 'task', genomes: 'genome kind', strategies: 'strategy' };

interface Member {
  key: string;
  type: 'string' | 'function' | 'boolean' | 'string[]';
  optional?: boolean;
}

/** The members each item must have: the contracts of task.ts, genome_kind.ts and strategy.ts. */
const MEMBERS: Readonly<Record<PluginSection, readonly Member[]>> = {
  tasks: [
    { key: 'name', type: 'string' }, { key: 'description', type: 'string' }, { key: 'genomeKinds', type: 'string[]' },
    { key: 'usesTensorflow', type: 'boolean' }, { key: 'resolveConfig', type: 'function' }, { key: 'evaluate', type: 'function' },
    { key: 'evaluateBatch', type: 'function', optional: true }, { key: 'annotate', type: 'function', optional: true },
    { key: 'trainingSetting', type: 'function', optional: true },
  ],
  genomes: [
    { key: 'name', type: 'string' }, { key: 'description', type: 'string' }, { key: 'resolveConfig', type: 'function' },
    { key: 'dim', type: 'function' }, { key: 'bounds', type: 'function' }, { key: 'decode', type: 'function' },
    { key: 'encode', type: 'function' }, { key: 'random', type: 'function' }, { key: 'toFile', type: 'function' },
    { key: 'fromFile', type: 'function' }, { key: 'integers', type: 'function', optional: true },
    { key: 'defaultGenome', type: 'function', optional: true }, { key: 'categorical', type: 'function', optional: true },
    { key: 'fromVersion1', type: 'function', optional: true },
  ],
  strategies: [
    { key: 'name', type: 'string' }, { key: 'description', type: 'string' }, { key: 'init', type: 'function' },
    { key: 'ask', type: 'function' }, { key: 'tell', type: 'function' }, { key: 'stop', type: 'function' },
  ],
};

function hasType(v: unknown, type: Member['type']): boolean {
  if (type === 'string[]') return Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string' && e !== '');
  if (type === 'string') return typeof v === 'string' && v !== '';
  return typeof v === type;
}

function typeText(type: Member['type']): string {
  return type === 'string[]' ? 'a non-empty array of names' : type === 'string' ? 'a non-empty string' : `a ${type}`;
}

/** The required members of a section's items, for messages ("a task needs name, description, ..."). */
export function requiredMembers(section: PluginSection): string[] {
  return MEMBERS[section].filter((m) => !m.optional).map((m) => m.key);
}

/**
 * Checks that a module's export is a plug-in: an object with only `tasks`, `genomes` and `strategies`, each an
 * array whose items have the members their contract needs. Throws one UsageError line naming `module`, the
 * item and the fix; returns the value typed as a Plugin.
 */
export function checkPluginShape(value: unknown, module: string): Plugin {
  const where = `plug-in ${module}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} exports no plug-in: its default export (or an export named 'plugin') must be an object { tasks?, genomes?, strategies? } (see definePlugin)`);
  const extra = Object.keys(value).filter((k) => !(PLUGIN_SECTIONS as readonly string[]).includes(k));
  if (extra.length > 0)
    throw new UsageError(`${where} exports unknown key${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; a plug-in holds only tasks, genomes and strategies`);
  const v = value as Record<string, unknown>;
  for (const section of PLUGIN_SECTIONS) {
    const items = v[section];
    if (items === undefined) continue;
    if (!Array.isArray(items)) throw new UsageError(`${where}: '${section}' must be an array of ${SECTION_ITEM[section]} objects (got ${typeof items})`);
    items.forEach((item: unknown, i) => {
      const label = `${section}[${i}]`;
      if (typeof item !== 'object' || item === null) throw new UsageError(`${where}: ${label} is not a ${SECTION_ITEM[section]} object`);
      const o = item as Record<string, unknown>;
      const named = typeof o['name'] === 'string' ? `${label} ('${o['name']}')` : label;
      for (const m of MEMBERS[section]) {
        if (m.optional && o[m.key] === undefined) continue;
        if (!hasType(o[m.key], m.type))
          throw new UsageError(
            `${where}: ${named} needs '${m.key}' as ${typeText(m.type)}; a ${SECTION_ITEM[section]} needs ${requiredMembers(section).join(', ')}`,
          );
      }
    });
  }
  return value as Plugin;
}
