/**
 * A custom genome kind (and a task over it) as an evometa plug-in: a bit string of length --dim, searched as a
 * real vector in [−1, 1]^dim whose coordinate i decodes to bit 1 where x_i > 0. The task `onemax` counts the
 * zero bits, so its optimum, 0, is the all-ones string.
 *
 *   evometa search --plugin examples/plugins/bitstring.mjs --genome bitstring --task onemax --dim 20 \
 *     --init random --target 0 --max-evals 5000
 *
 * best.json stores the decoded genome (an array of 0/1) beside its search vector; `--init best.json` reads it back
 * (through evometa's genome-file codec: `toFile`/`fromFile` are this kind's payload, `fromVersion1` its bare form).
 */
function resolveConfig(raw) {
  const unknown = Object.keys(raw).filter((k) => k !== 'dim');
  if (unknown.length > 0) throw new Error(`unknown key ${unknown.join(', ')}; the bitstring genome takes only --dim`);
  const dim = raw.dim;
  if (!Number.isInteger(dim) || dim < 1 || dim > 100000) throw new Error(`--dim must be an integer from 1 to 100000 (got ${JSON.stringify(dim)})`);
  return { dim };
}

function checkBits(bits, dim, where) {
  if (!Array.isArray(bits) || bits.length !== dim || bits.some((b) => b !== 0 && b !== 1))
    throw new Error(`${where} must be an array of ${dim} bits (0 or 1)`);
  return bits;
}

export const bitstringGenome = {
  name: 'bitstring',
  description: 'a string of --dim bits; bit i is 1 where x_i > 0 (example plug-in)',
  resolveConfig,
  dim: (c) => c.dim,
  bounds: (c) => ({ lower: new Array(c.dim).fill(-1), upper: new Array(c.dim).fill(1) }),
  decode: (x) => Array.from(x, (v) => (v > 0 ? 1 : 0)),
  /** Each bit at the middle of its half of [−1, 1], so a search starts one step σ≈0.5 from flipping it. */
  encode: (bits, c) => checkBits(bits, c.dim, 'the genome').map((b) => (b ? 0.5 : -0.5)),
  random: (c, rng) => Array.from({ length: c.dim }, () => (rng.uniform() < 0.5 ? 1 : 0)),
  /** A genome file's payload (the envelope around it is evometa's): `{bits: [0, 1, ...]}`. */
  toFile: (bits) => ({ bits: bits.slice() }),
  fromFile(payload, c, where) {
    return checkBits(payload?.bits, c.dim, `${where}: bits`);
  },
  /** best.json of a run stores the bare decoded genome (an array of bits), which the run's manifest names as ours. */
  fromVersion1(json, where, claimed) {
    if (!claimed || !Array.isArray(json)) return undefined;
    return { config: { dim: json.length }, genome: { bits: checkBits(json, json.length, where) } };
  },
};

export const onemax = {
  name: 'onemax',
  description: 'number of zero bits of a bitstring genome (example plug-in; optimum 0)',
  genomeKinds: ['bitstring'],
  usesTensorflow: false,
  resolveConfig(raw) {
    if (Object.keys(raw).length > 0) throw new Error(`onemax takes no settings (got ${Object.keys(raw).join(', ')})`);
    return {};
  },
  evaluate(bits) {
    return { fitness: bits.reduce((zeros, b) => zeros + (b ? 0 : 1), 0) };
  },
};

export default { genomes: [bitstringGenome], tasks: [onemax] };
