/** `evometa list [--plugin MODULE] [--json]`: the genome kinds, tasks and strategies (built-in and from plug-ins), and the backends. */
import type { PluginSection } from '../core/plugin.js';
import type { LoadedRegistry } from '../plugins.js';
import { BACKEND_REQUESTS } from '../runtime/backend_names.js';
import type { Command, ParsedArgs } from './command.js';
import { columns, wrapText, WIDTH } from './layout.js';
import { JSON_SWITCH, PLUGIN, withHelp } from './options.js';

export const listCommand: Command = {
  name: 'list',
  summary: 'genome kinds, tasks, strategies (built-in and from plug-ins) and the TensorFlow.js backends',
  usage: '[--plugin MODULE]... [--json]',
  description: 'Lists what a search can name, with where each comes from (built-in, or the plug-in module that adds it), and which TensorFlow.js backend `auto` picks here.',
  positionals: [],
  groups: [{ title: 'options', options: [withHelp(PLUGIN, 'a module (path or package name) whose tasks, genome kinds and strategies are listed too; repeatable'), JSON_SWITCH] }],
  run: list,
};

const TITLES: Readonly<Record<PluginSection, string>> = { genomes: 'genome kinds', tasks: 'tasks', strategies: 'strategies' };

const SECTIONS: readonly PluginSection[] = ['genomes', 'tasks', 'strategies'];

/**
 * The registry as three tables with the same columns name · origin · description (a plug-in's origin is its number in
 * the plug-ins list printed after them), each headed by its title.
 */
export function registryTables(registry: LoadedRegistry): string[][] {
  const rows = SECTIONS.map((section) =>
    Object.entries(registry[section] as Readonly<Record<string, { description: string }>>).map(([name, v]) => {
      const origin = registry.origins[section][name]!;
      const k = registry.plugins.indexOf(origin);
      return [name, k >= 0 ? `plug-in ${k + 1}` : origin, v.description];
    }),
  );
  const header = ['name', 'origin', 'description'];
  const widths = [0, 1].map((c) => Math.max(...[header, ...rows.flat()].map((r) => r[c]!.length)));
  return SECTIONS.map((section, i) => [`${TITLES[section]}:`, ...columns([header, ...rows[i]!], { widths })]);
}

async function list(args: ParsedArgs): Promise<void> {
  const { loadRegistry } = await import('../plugins.js');
  const registry = await loadRegistry(args.lists['plugin'] ?? []);
  const { initBackend } = await import('../runtime/backend.js');
  let backendLines: string[];
  let backendInfo: unknown;
  try {
    const info = await initBackend('auto');
    backendInfo = info;
    backendLines = [
      `  auto picks ${info.backend} here`,
      ...columns(info.attempts.filter((a) => !a.ok).map((a) => [a.backend, `unavailable (${a.error})`]), { indent: 4 }),
    ];
  } catch (e) {
    backendLines = wrapText(`auto: no backend loads (${(e as Error).message})`, WIDTH - 2).map((l) => `  ${l}`);
  }
  if (args.switches.has('json')) {
    const names = (r: Readonly<Record<string, { description: string }>>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.description]));
    const { genomes, tasks, strategies, origins, plugins } = registry;
    process.stdout.write(JSON.stringify({ genomes: names(genomes), tasks: names(tasks), strategies: names(strategies), origins, plugins, backends: BACKEND_REQUESTS, backend: backendInfo }) + '\n');
    return;
  }
  const sections = [
    ...registryTables(registry),
    [`backends: ${BACKEND_REQUESTS.join(', ')}`, ...backendLines],
  ];
  if (registry.plugins.length) sections.push(['plug-ins:', ...registry.plugins.map((p, k) => `  ${k + 1}  ${p}`)]);
  process.stdout.write(sections.map((s) => s.join('\n')).join('\n\n') + '\n');
}
