/**
 * Genome files over every registered genome kind (the kind's part of the genome file contract), and the genomes
 * shipped in genomes/: each is a version-2 file whose numbers equal those of its version-1 original.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/rng.js';
import { parseGenomeFile, readGenomeFile, writeGenomeFile } from '../../src/core/genome_file.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { writeBlurReferences } from '../../genomes/write_blur_references.js';
import { tempDir } from '../helpers/run_files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const kinds = GENOME_KINDS;

/** Settings of each kind to try: the defaults and a larger space. */
const CONFIGS: Record<string, Record<string, unknown>[]> = {
  vector: [{ dim: 3 }, { dim: 4, lower: -1, upper: [1, 2, 3, 4] }],
  blur: [{}, { k: 3, perLayer: true, numLayers: 2, extras: ['saturation', 'rescaleTo', 'ojaMultiplier'] }],
  ordering: [{}, { length: 5, modules: 3, allowSkip: true }],
  'ht-hparams': [{}, { fields: ['heads', 'ways', 'optimizer', 'decayRate'], ranges: { ways: [2, 6], decayRate: { min: 0.5, max: 1, scale: 'linear' } } }],
  'lsa-weights': [{}, { nx: 3, layers: 2, looped: true, form: 'kqvp', initScale: 0.1 }],
};

test('every registered kind has settings to try here', (t) => {
  t.deepEqual(Object.keys(CONFIGS).sort(), Object.keys(GENOME_KINDS).sort());
});

for (const [name, configs] of Object.entries(CONFIGS))
  for (const [i, raw] of configs.entries())
    test(`${name} (settings ${i}): resolved settings resolve to themselves; a file and a run record read back to the genome`, (t) => {
      const kind = GENOME_KINDS[name]!;
      const config = kind.resolveConfig(raw);
      t.deepEqual(kind.resolveConfig(JSON.parse(JSON.stringify(config))), config);
      for (let seed = 0; seed < 3; seed++) {
        const genome = kind.random(config, new Rng(seed));
        const path = join(tempDir(), `${name}.json`);
        writeGenomeFile(path, kind, genome, config, { seed });
        const read = readGenomeFile(path, { kinds, want: name });
        t.is(read.kind, kind);
        t.deepEqual(read.config, config);
        t.deepEqual(read.genome, genome);
        t.deepEqual(read.meta, { seed });
        t.deepEqual(kind.encode(read.genome, read.config), kind.encode(genome, config));
        // best.json stores the genome as is: read where its kind is known (--genome, the run's manifest)
        const record = JSON.parse(JSON.stringify({ fitness: 1, x: kind.encode(genome, config), genome }));
        t.deepEqual(parseGenomeFile(record, 'best.json', { kinds, bareKind: name }).genome, genome);
      }
    });

const V1 = join(repoRoot, 'tests', 'fixtures', 'genome_files_v1');

for (const [file, kind] of [
  ['backprop.blur.json', 'blur'], ['random.blur.json', 'blur'], ['boolean-cmaes.blur.json', 'blur'], ['boolean-metagrad.blur.json', 'blur'], ['default.ht-hparams.json', 'ht-hparams'],
] as const)
  test(`genomes/${file} is a version-2 '${kind}' file with the numbers of its version-1 original`, (t) => {
    const shipped = JSON.parse(readFileSync(join(repoRoot, 'genomes', file), 'utf8'));
    t.like(shipped, { format: 'evometa-genome', version: 2, kind });
    const read = readGenomeFile(join(repoRoot, 'genomes', file), { kinds });
    t.is(read.kind.name, kind);
    const original = JSON.parse(readFileSync(join(V1, file), 'utf8'));
    if (kind === 'blur') {
      const { format: _f, version: _v, ...genome } = original;
      t.deepEqual(read.genome, genome); // k, layers and the network options, every number as it was
    } else t.deepEqual(read.genome, original.hparams);
    t.deepEqual(read.config, readGenomeFile(join(V1, file), { kinds }).config); // the settings the version-1 file implied
  });

test('the meta-trained genomes say what they were trained under; write_blur_references writes the shipped reference files', (t) => {
  for (const [file, strategy] of [['boolean-cmaes.blur.json', 'sep-cmaes'], ['boolean-metagrad.blur.json', 'metagrad']]) {
    const read = readGenomeFile(join(repoRoot, 'genomes', file!), { kinds });
    t.like(read.meta, { task: 'blur-boolean', strategy, taskConfig: { network: { normalizeSynapses: true, rescale: true } } });
    t.deepEqual(read.config, { k: 2, perLayer: true, numLayers: 2, extras: ['rescaleTo'] });
  }
  const dir = tempDir();
  for (const path of writeBlurReferences(dir)) {
    const name = path.slice(dir.length + 1);
    t.is(readFileSync(path, 'utf8'), readFileSync(join(repoRoot, 'genomes', name), 'utf8'), name);
  }
});
