/**
 * The genome file codec: the envelope's checks and their one-line messages, run records, the upgrade of every
 * version-1 format (files written by the code before the envelope, kept in tests/fixtures/genome_files_v1 with
 * what the old loaders returned for them), and the writer.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatGenomeFile, genomeFileJson, parseGenomeFile, readGenomeFile, writeGenomeFile, GENOME_FILE_FORMAT, GENOME_FILE_VERSION,
} from '../../../src/core/genome_file.js';
import { GENOME_KINDS } from '../../../genomes/index.js';
import { backpropGenome, blurGenome } from '../../../genomes/blur_genome.js';
import { tempDir } from '../../helpers/run_files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const V1 = join(repoRoot, 'tests', 'fixtures', 'genome_files_v1');
const kinds = GENOME_KINDS;
const blurConfig = blurGenome.resolveConfig({});
const envelope = (): Record<string, unknown> => genomeFileJson(blurGenome, backpropGenome(2), blurConfig, { notes: 'x' }) as unknown as Record<string, unknown>;

test('a written file reads back: kind, resolved config, genome and meta', (t) => {
  const path = join(tempDir(), 'g.json');
  const file = writeGenomeFile(path, blurGenome, backpropGenome(2), blurConfig, { run: 'r', generation: 3 });
  t.deepEqual(JSON.parse(readFileSync(path, 'utf8')), file);
  t.is(readFileSync(path, 'utf8'), formatGenomeFile(file));
  t.like(file, { format: GENOME_FILE_FORMAT, version: GENOME_FILE_VERSION, kind: 'blur', config: { k: 2, perLayer: false, numLayers: 1, extras: [] } });
  const read = readGenomeFile(path, { kinds });
  t.is(read.kind, blurGenome);
  t.deepEqual(read.config, blurConfig);
  t.deepEqual(read.genome, backpropGenome(2));
  t.deepEqual(read.meta, { run: 'r', generation: 3 });
  t.is(read.version, 2);
  // no meta, no key
  t.false('meta' in genomeFileJson(blurGenome, backpropGenome(2), blurConfig, {}));
});

test('envelope errors: one line naming the file and the field', (t) => {
  const bad = (patch: Record<string, unknown>, message: string): void => {
    const json = { ...envelope(), ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete json[k];
    t.throws(() => parseGenomeFile(json, 'g.json', { kinds }), { message });
  };
  bad({ format: 'evometa-genom' }, 'g.json: format must be "evometa-genome" (got "evometa-genom"); is this a genome file?');
  bad({ version: 3 }, 'g.json: unsupported version 3; this build reads genome file version 2');
  bad({ version: undefined }, 'g.json: version is missing; this build reads genome file version 2');
  bad({ kind: 'tree' }, "g.json: unknown genome kind 'tree'; valid genome kinds: vector, blur, ordering, ht-hparams, lsa-weights");
  bad({ kind: 7 }, 'g.json: kind must be the name of a genome kind, a string (got 7)');
  bad({ kind: undefined }, 'g.json: kind must be the name of a genome kind, a string (got nothing)');
  bad({ config: undefined }, "g.json: config must be an object, the genome kind's settings (got nothing)");
  bad({ config: [2] }, "g.json: config must be an object, the genome kind's settings (got a list)");
  bad({ genome: undefined }, "g.json: genome must be an object, the genome kind's payload (got nothing)");
  bad({ genome: 'abc' }, `g.json: genome must be an object, the genome kind's payload (got "abc")`);
  bad({ meta: 5 }, 'g.json: meta must be an object (got 5)');
  bad({ notes: 'x' }, 'g.json has unknown key notes; valid keys: format, version, kind, config, genome, meta');
  // the kind's own checks carry the file and the field
  bad({ config: { k: 1 } }, "g.json: config: genome 'blur' k must be an integer from 2 to 16 (got 1)");
  bad({ genome: { k: 2, layers: [] } }, 'g.json: genome: layers must be a non-empty list (one shared layer genome, or one per synapse layer)');
  t.throws(() => parseGenomeFile(null, 'g.json', { kinds }), { message: 'g.json must be a JSON object with format "evometa-genome" (got null)' });
  t.throws(() => parseGenomeFile({ k: 2 }, 'g.json', { kinds }), { message: 'g.json: format must be "evometa-genome" (got nothing); is this a genome file?' });
  t.throws(() => readGenomeFile(join(tempDir(), 'none.json'), { kinds }), { message: /^genome file not found: .*none\.json$/ });
});

test('a file of another kind than the caller wants is refused by name', (t) => {
  const file = genomeFileJson(GENOME_KINDS['ordering']!, { modules: 3, allowSkip: false, order: [2, 0] }, { length: 2, modules: 3, allowSkip: false });
  t.throws(() => parseGenomeFile(file, 'o.json', { kinds, want: 'blur', wantedBy: '--genome' }), {
    message: "o.json holds a genome of kind 'ordering', but --genome is 'blur'; give a 'blur' genome file or --genome ordering",
  });
  t.throws(() => parseGenomeFile(file, 'o.json', { kinds, want: 'blur' }), { message: "o.json holds a genome of kind 'ordering', not 'blur'; give a 'blur' genome file" });
  // also when the caller knows only its own kind, and for a version-1 file
  t.throws(() => parseGenomeFile(file, 'o.json', { kinds: { blur: blurGenome }, want: 'blur' }), { message: /^o\.json holds a genome of kind 'ordering', not 'blur'/ });
  t.throws(() => readGenomeFile(join(V1, 'ordering.json'), { kinds, want: 'blur', wantedBy: '--genome' }), { message: /ordering\.json holds a genome of kind 'ordering', but --genome is 'blur'/ });
});

/** The old loader's result for a fixture, without the format and version it kept inside blur and ordering genomes. */
function loadedByV1(name: string): unknown {
  const all = JSON.parse(readFileSync(join(V1, 'loaded-by-v1.json'), 'utf8')) as Record<string, unknown>;
  const g = all[name];
  if (typeof g !== 'object' || g === null || Array.isArray(g)) return g;
  const { format: _f, version: _v, ...rest } = g as Record<string, unknown>;
  return rest;
}

for (const [name, kind] of [
  ['backprop.blur.json', 'blur'], ['random.blur.json', 'blur'], ['boolean-cmaes.blur.json', 'blur'], ['boolean-metagrad.blur.json', 'blur'],
  ['ordering.json', 'ordering'], ['default.ht-hparams.json', 'ht-hparams'], ['ht-hparams.json', 'ht-hparams'], ['vector.json', 'vector'],
  ['best.blur.json', 'blur'], ['best.ordering.json', 'ordering'], ['best.vector.json', 'vector'], ['final.blur.json', 'blur'],
] as const)
  test(`version 1: ${name} loads as kind '${kind}', to the genome the old loader gave`, (t) => {
    const read = readGenomeFile(join(V1, name), { kinds });
    t.is(read.kind.name, kind);
    t.is(read.version, 1);
    t.deepEqual(read.genome, loadedByV1(name));
    // the derived config fits the genome: it encodes to a point of the config's space
    const x = read.kind.encode(read.genome, read.config);
    t.is(x.length, read.kind.dim(read.config));
    t.deepEqual(read.kind.encode(read.kind.decode(x, read.config), read.config), x);
  });

test("version 1: a run record's bare genome (ht-hparams best.json) loads where the kind is known, and says so where it is not", (t) => {
  const path = join(V1, 'best.ht-hparams.json');
  t.throws(() => readGenomeFile(path, { kinds }), {
    message: `${path}: genome does not name its genome kind (a run record stores the bare genome); read it where the kind is known: with --genome, or in its run folder beside manifest.json`,
  });
  for (const options of [{ want: 'ht-hparams' }, { bareKind: 'ht-hparams' }]) {
    const read = readGenomeFile(path, { kinds, ...options });
    t.deepEqual(read.genome, loadedByV1('best.ht-hparams.json'));
    t.deepEqual(read.meta, { fitness: 0.25, x: [2, 2, Math.log10(0.003)], generation: 4, index: 2, evaluation: 41 });
  }
  t.throws(() => readGenomeFile(path, { kinds, bareKind: 'blur' }), { message: `${path}: genome has unknown keys transformerLayers, heads, learningRate; valid keys: k, layers, network` });
});

test("a run record's meta is the record's fields; a record may hold an envelope", (t) => {
  const read = readGenomeFile(join(V1, 'final.blur.json'), { kinds });
  t.like(read.meta, { which: 'mean', run: 'results/r', generation: 6, evaluations: 60 });
  t.is((read.meta.x as number[]).length, 2 * blurGenome.dim(blurGenome.resolveConfig({ k: 3 })));
  const wrapped = parseGenomeFile({ fitness: 0.5, genome: envelope() }, 'best.json', { kinds });
  t.deepEqual(wrapped.genome, backpropGenome(2));
  t.deepEqual(wrapped.meta, { fitness: 0.5, notes: 'x' });
  t.throws(() => parseGenomeFile({ fitness: 0.5, genome: { ...envelope(), version: 9 } }, 'best.json', { kinds }), {
    message: 'best.json: genome: unsupported version 9; this build reads genome file version 2',
  });
});

test('an unknown version-1 format, and a version-1 file of a kind in a version it never had, are refused by name', (t) => {
  const dir = tempDir();
  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ format: 'evometa-module-bank', version: 1 }));
  t.throws(() => readGenomeFile(other, { kinds }), { message: `${other}: format must be "evometa-genome" (got "evometa-module-bank"); is this a genome file?` });
  const v3 = join(dir, 'v3.json');
  writeFileSync(v3, JSON.stringify({ format: 'evometa-ordering-genome', version: 3, modules: 2, order: [0] }));
  t.throws(() => readGenomeFile(v3, { kinds }), {
    message: `${v3}: unsupported version 3 of format "evometa-ordering-genome"; this build reads its version 1 and genome files of format "evometa-genome"`,
  });
  const strings = join(dir, 'strings.json');
  writeFileSync(strings, JSON.stringify([1, 'a']));
  t.throws(() => readGenomeFile(strings, { kinds }), { message: `${strings} must be a JSON array of finite numbers (a vector genome)` });
});

test('formatGenomeFile: lists of plain values and short flat objects on one line, everything else indented', (t) => {
  const text = formatGenomeFile({ ...genomeFileJson(blurGenome, backpropGenome(2), blurConfig), meta: { x: [1, 2.5], deep: { a: [[1], [2]] } } });
  t.true(text.includes('\n  "config": {"k": 2, "perLayer": false, "numLayers": 1, "extras": []},\n'));
  t.true(text.includes('\n          "nu": [\n            [1, 1],\n            [0, 0]\n          ],\n'));
  t.true(text.includes('"x": [1, 2.5]'));
  t.true(text.includes('"deep": {\n      "a": [\n        [1],\n        [2]\n      ]\n    }'));
  t.true(text.endsWith('}\n'));
});
