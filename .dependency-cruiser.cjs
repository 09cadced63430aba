/**
 * Import rules of evometa's layers, the architecture of a layered engine whose plug-ins are modules that any worker
 * can load: each part imports only the parts below it, plug-ins never import the engine, and the engine is handed
 * its plug-ins. Checked by tests/architecture/import_rules.test.ts through `npm test`, and by hand with
 * `npx depcruise src genomes tasks strategies bench --config .dependency-cruiser.cjs`.
 *
 * Paths are relative to the folder cruised from, so the same rules also run over a fixture tree in the tests.
 */

/** Any file of the project (npm packages and node built-ins are never matched). */
const PROJECT = "^(src|genomes|tasks|strategies|bench|tests)/";
/** The generation loop, the evaluators and the run folder: they are handed a plug-in registry. */
const ENGINE = "^src/(engine|evaluator|store)/";
/** The composition root: it assembles the built-in plug-ins and the user's modules named by specifier. */
const COMPOSITION_ROOT = "^src/plugins\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-imports-no-project",
      comment:
        "src/core is the bottom layer every other part (plug-ins in workers included) imports; it must import " +
        "nothing else of the project, or each import drags the layers above into every worker.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: PROJECT, pathNot: "^src/core/" },
    },
    {
      name: "runtime-imports-only-core",
      comment:
        "src/runtime (tfjs backends, kernels) is loaded by every worker before any model or task; it may " +
        "use only src/core.",
      severity: "error",
      from: { path: "^src/runtime/" },
      to: { path: PROJECT, pathNot: "^src/(core|runtime)/" },
    },
    {
      name: "data-imports-only-core",
      comment:
        "src/data (datasets, domains, episodes) serves tasks and workflows alike; it knows no model or task, so " +
        "it declares the plain shapes it needs itself.",
      severity: "error",
      from: { path: "^src/data/" },
      to: { path: PROJECT, pathNot: "^src/(core|data)/" },
    },
    {
      name: "strategies-import-only-core",
      comment:
        "A strategy sees vectors, bounds and declared categorical spaces, never a genome kind's internals, the " +
        "engine or the store: it imports only src/core (and other strategies).",
      severity: "error",
      from: { path: "^strategies/" },
      to: { path: PROJECT, pathNot: "^(src/core|strategies)/" },
    },
    {
      name: "models-import-only-core-runtime-models",
      comment:
        "Models know no genome encoding, task, run or CLI, and draw no data (the workflow or task that trains " +
        "them does): they import only src/core, src/runtime and src/models.",
      severity: "error",
      from: { path: "^src/models/" },
      to: { path: PROJECT, pathNot: "^src/(core|runtime|models)/" },
    },
    {
      name: "model-families-share-only-nn",
      comment:
        "Each model family (blur, ht, modular) stands alone; pieces two families share live in src/models/nn, " +
        "so no family imports another's files.",
      severity: "error",
      from: { path: "^src/models/([^/]+)/" },
      to: { path: "^src/models/", pathNot: ["^src/models/nn/", "^src/models/$1/"] },
    },
    {
      name: "genomes-import-no-engine-task-strategy-or-app",
      comment:
        "A genome kind is a plug-in a worker loads by specifier: it may use core and model types, never the " +
        "engine, evaluators, store, tasks, strategies, the composition root, the CLI or workflows.",
      severity: "error",
      from: { path: "^genomes/" },
      to: {
        path: [ENGINE, "^tasks/", "^strategies/", COMPOSITION_ROOT, "^src/(cli|workflows|report)/", "^src/index\\.ts$"],
      },
    },
    {
      name: "tasks-import-no-engine-or-app",
      comment:
        "A task is a plug-in a worker loads by specifier: it may use core, runtime, data, models and genomes, " +
        "never the engine, evaluators, store, the composition root, the CLI, workflows or reports.",
      severity: "error",
      from: { path: "^tasks/" },
      to: { path: [ENGINE, COMPOSITION_ROOT, "^src/(cli|workflows|report)/", "^src/index\\.ts$"] },
    },
    {
      name: "engine-imports-no-plugin",
      comment:
        "The engine, evaluators and store are handed a plug-in registry; importing a plug-in (or the composition " +
        "root that assembles them) would tie the engine to the built-ins and keep a user's modules out of workers.",
      severity: "error",
      from: { path: ENGINE },
      to: { path: ["^genomes/", "^tasks/", "^strategies/", COMPOSITION_ROOT] },
    },
    {
      name: "composition-root-only-from-the-top",
      comment:
        "Only the top (src/index.ts, src/search.ts, a worker entry beside the composition root, src/cli, src/workflows, bench " +
        "and tests) may import src/plugins.ts; anything lower importing it would be a cycle through every plug-in.",
      severity: "error",
      from: {
        pathNot: [
          "^src/(index|search|plugins[^/]*|[^/]*worker[^/]*)\\.ts$",
          "^src/(cli|workflows)/",
          "^bench/",
          "^tests/",
        ],
      },
      to: { path: COMPOSITION_ROOT },
    },
    {
      name: "nothing-imports-cli",
      comment:
        "src/cli is one file per command, the outermost layer: what another part needs from it belongs in a " +
        "lower layer (workflows, core).",
      severity: "error",
      from: { pathNot: ["^src/cli/", "^tests/"] },
      to: { path: "^src/cli/" },
    },
    {
      name: "only-cli-imports-serve",
      comment:
        "src/serve (the web server of `evometa serve`) sits at the level of the CLI and the reports: it may import " +
        "everything below it, and only src/cli (and tests and benches) import it, so no library user loads a web server.",
      severity: "error",
      from: { pathNot: ["^src/(cli|serve)/", "^tests/", "^bench/"] },
      to: { path: "^src/serve/" },
    },
    {
      name: "no-circular",
      comment:
        "A cycle makes the load order of a worker depend on which module it imports first, and hides a layer " +
        "that should be split. A cycle closed only by type imports is erased at compile time and changes no " +
        "load order, so it is allowed (a state type beside the functions that update it).",
      severity: "error",
      from: { path: PROJECT },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-unresolvable-import",
      comment:
        "A relative import that resolves to no file is an edge the rules above cannot see; it fails here rather " +
        "than pass unchecked. npm packages are left to npm (the native tfjs backends are optional).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, path: "^[.]" },
    },
  ],
  options: {
    // Type-only imports count: a model that names a task's type still depends on the task's meaning.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^dist/", "^tests/fixtures/"] },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
  },
};
