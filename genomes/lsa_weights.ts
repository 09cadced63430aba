/**
 * The weights of a linear self-attention model ("Transformers learn in-context by gradient descent", von Oswald
 * et al., ICML 2023) as a genome kind: the flat search vector is every layer's D × D matrices in the model's
 * parameter order (src/models/lsa/lsa_spec.ts), so a meta-gradient of the task with respect to the model's flat
 * parameters is the gradient with respect to the search vector. The genome carries its model spec, so a genome
 * file (matrices as nested rows, easy to compare with the GD construction) describes the model it runs.
 */
import { UsageError } from '../src/core/errors.js';
import type { GenomeKind } from '../src/core/genome_kind.js';
import { LSA_FORMS, LSA_MATRICES, checkLsaSpec, lsaParamCount, storedLayers, tokenWidth, type LsaForm, type LsaSpec } from '../src/models/lsa/lsa_spec.js';

export interface LsaWeightsConfig extends LsaSpec {
  /** Standard deviation of a random genome's entries (`--init random`). */
  initScale: number;
}

/** One layer's matrices by name, each D rows of D numbers. */
export type LsaLayerMatrices = Record<string, number[][]>;

export interface LsaWeightsGenome {
  spec: LsaSpec;
  /** One entry when looped, else one per layer. */
  layers: LsaLayerMatrices[];
}

const KIND = 'lsa-weights';
const KEYS = ['nx', 'layers', 'looped', 'form', 'attendToQuery', 'initScale'];
export const LSA_WEIGHTS_DEFAULTS: Readonly<LsaWeightsConfig> = { nx: 10, layers: 1, looped: false, form: 'pq', attendToQuery: false, initScale: 0.01 };

function resolveLsaWeightsConfig(raw: Record<string, unknown>): LsaWeightsConfig {
  // 'dim' is passed by the engine to every kind; this kind derives its own from the model's shape.
  const bad = Object.keys(raw).filter((k) => !KEYS.includes(k) && k !== 'dim' && raw[k] !== undefined);
  if (bad.length > 0) throw new UsageError(`unknown ${KIND} config key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${KEYS.join(', ')}`);
  const c = { ...LSA_WEIGHTS_DEFAULTS, ...Object.fromEntries(KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]])) } as LsaWeightsConfig;
  const int = (k: 'nx' | 'layers', max: number): void => {
    if (!Number.isInteger(c[k]) || c[k] < 1 || c[k] > max) throw new UsageError(`${KIND} config '${k}' must be an integer from 1 to ${max} (got ${JSON.stringify(c[k])})`);
  };
  int('nx', 256);
  int('layers', 64);
  for (const k of ['looped', 'attendToQuery'] as const)
    if (typeof c[k] !== 'boolean') throw new UsageError(`${KIND} config '${k}' must be true or false (got ${JSON.stringify(c[k])})`);
  if (!(LSA_FORMS as readonly unknown[]).includes(c.form)) throw new UsageError(`${KIND} config 'form' must be one of ${LSA_FORMS.join(', ')} (got ${JSON.stringify(c.form)})`);
  if (typeof c.initScale !== 'number' || !(c.initScale > 0) || !Number.isFinite(c.initScale))
    throw new UsageError(`${KIND} config 'initScale' must be a positive number (got ${JSON.stringify(c.initScale)})`);
  return { nx: c.nx, layers: c.layers, looped: c.looped, form: c.form as LsaForm, attendToQuery: c.attendToQuery, initScale: c.initScale };
}

/** The model spec of a resolved config. */
export function lsaSpecOf(c: LsaSpec): LsaSpec {
  return checkLsaSpec({ nx: c.nx, layers: c.layers, looped: c.looped, form: c.form, attendToQuery: c.attendToQuery });
}

/** The genome's flat parameter vector, in the model's parameter order. */
export function lsaFlatWeights(g: LsaWeightsGenome): number[] {
  const names = LSA_MATRICES[g.spec.form];
  return g.layers.flatMap((layer) => names.flatMap((name) => layer[name]!.flat()));
}

function decodeLsa(x: readonly number[], c: LsaWeightsConfig): LsaWeightsGenome {
  const spec = lsaSpecOf(c);
  const n = lsaParamCount(spec);
  if (x.length !== n) throw new UsageError(`${KIND}: the vector has ${x.length} numbers, the model needs ${n}`);
  const d = tokenWidth(spec);
  let at = 0;
  const layers = Array.from({ length: storedLayers(spec) }, () =>
    Object.fromEntries(LSA_MATRICES[spec.form].map((name) => [name, Array.from({ length: d }, () => { at += d; return x.slice(at - d, at); })])),
  );
  return { spec, layers };
}

function lsaFromFile(payload: unknown, c: LsaWeightsConfig, where: string): LsaWeightsGenome {
  const spec = lsaSpecOf(c);
  const d = tokenWidth(spec);
  const names = LSA_MATRICES[spec.form];
  const layers = (payload as { layers?: unknown } | null)?.layers;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || Object.keys(payload).some((k) => k !== 'layers') || !Array.isArray(layers))
    throw new UsageError(`${where} must be an object {layers: [{${names.join(', ')}}, …]} (the ${KIND} payload)`);
  if (layers.length !== storedLayers(spec))
    throw new UsageError(`${where}: layers has ${layers.length} entries but the file's config needs ${storedLayers(spec)} (${spec.looped ? 'looped' : `${spec.layers} layers`}); make them agree`);
  return {
    spec,
    layers: layers.map((layer: unknown, l) => {
      const keys = typeof layer === 'object' && layer !== null ? Object.keys(layer) : [];
      if (keys.length !== names.length || names.some((n) => !keys.includes(n)))
        throw new UsageError(`${where}: layers[${l}] must hold exactly the matrices ${names.join(', ')} of form '${spec.form}' (got ${keys.join(', ') || 'none'})`);
      return Object.fromEntries(names.map((name) => {
        const m = (layer as Record<string, unknown>)[name];
        const ok = Array.isArray(m) && m.length === d && m.every((row) => Array.isArray(row) && row.length === d && row.every((v) => typeof v === 'number' && Number.isFinite(v)));
        if (!ok) throw new UsageError(`${where}: layers[${l}].${name} must be ${d} rows of ${d} finite numbers (D = nx + 1 = ${d})`);
        return [name, (m as number[][]).map((row) => row.slice())];
      }));
    }),
  };
}

export const lsaWeightsGenome: GenomeKind<LsaWeightsGenome, LsaWeightsConfig> = {
  name: KIND,
  description: 'the weights of a linear self-attention model (nx, layers, looped, form pq|kqvp): learns in-context regression',
  resolveConfig: resolveLsaWeightsConfig,
  dim: (c) => lsaParamCount(lsaSpecOf(c)),
  bounds: () => undefined,
  decode: decodeLsa,
  encode(g, c) {
    const want = lsaSpecOf(c);
    if (JSON.stringify(lsaSpecOf(g.spec)) !== JSON.stringify(want))
      throw new UsageError(`${KIND}: the genome's model ${JSON.stringify(g.spec)} is not the one the settings describe (${JSON.stringify(want)}); give matching --genome-config`);
    return lsaFlatWeights(g);
  },
  /** N(0, initScale²) entries, as the paper's small random initialisation. */
  random(c, rng) {
    const n = lsaParamCount(lsaSpecOf(c));
    return decodeLsa(Array.from({ length: n }, () => c.initScale * rng.normal()), c);
  },
  toFile: (g) => ({ layers: g.layers.map((layer) => Object.fromEntries(Object.entries(layer).map(([k, m]) => [k, m.map((r) => r.slice())]))) }),
  fromFile: lsaFromFile,
  /** A run record (best.json) holds the bare genome {spec, layers}: a shape no other kind writes. */
  fromVersion1(json) {
    const o = json as Partial<LsaWeightsGenome> | null;
    if (typeof o !== 'object' || o === null || Array.isArray(o) || typeof o.spec !== 'object' || o.spec === null || !Array.isArray(o.layers)) return undefined;
    if (Object.keys(o).some((k) => k !== 'spec' && k !== 'layers')) return undefined;
    return { config: { ...o.spec }, genome: { layers: o.layers } };
  },
};
