/**
 * The genome file: one envelope for every genome kind, read and written by one codec that knows no kind.
 *
 *   { "format": "evometa-genome", "version": 2, "kind": "blur", "config": {…}, "genome": {…}, "meta": {…} }
 *
 * `kind` names a genome kind of the registry, `config` holds the kind's resolved settings the genome was made
 * under, `genome` the kind's payload (GenomeKind.toFile / fromFile), and the optional `meta` where it came from.
 * Readers dispatch on `kind` instead of guessing from the payload.
 *
 * Version 1 was one format per kind (and a plain JSON array for a vector), and a run record (best.json, and
 * final.json before version 2) holds a genome under `genome`. Both still load: the codec unwraps a record and
 * asks the kinds to recognise their own version-1 JSON (GenomeKind.fromVersion1), so it stays free of any kind.
 */
import { UsageError, unknownName } from './errors.js';
import type { GenomeFileBody, GenomeKind } from './genome_kind.js';
import { readJsonFile, writeTextAtomic } from './json_file.js';
import { isObject } from './config_checks.js';

export const GENOME_FILE_FORMAT = 'evometa-genome';
export const GENOME_FILE_VERSION = 2;
const ENVELOPE_KEYS = ['format', 'version', 'kind', 'config', 'genome', 'meta'];

/** Where a genome came from. Every field is optional and others may be added: the codec checks only that meta is an object. */
export interface GenomeFileMeta {
  /** The run folder it comes from. */
  run?: string;
  /** The run's final search point ('mean': the CMA-ES mean, metagrad's x) or its best evaluation ('best'). */
  which?: 'mean' | 'best';
  generation?: number;
  evaluations?: number;
  fitness?: number;
  /** The search vector the genome was decoded from. */
  x?: number[];
  /** The task and its settings the genome was trained under, and the strategy and seed that trained it. */
  task?: string;
  taskConfig?: Record<string, unknown>;
  strategy?: string;
  seed?: number;
  notes?: string;
  [field: string]: unknown;
}

/** A genome file as JSON, as `genomeFileJson` builds it. */
export interface GenomeFileJson {
  format: typeof GENOME_FILE_FORMAT;
  version: typeof GENOME_FILE_VERSION;
  kind: string;
  config: Record<string, unknown>;
  genome: Record<string, unknown>;
  meta?: GenomeFileMeta;
}

/** A genome file read and checked: the kind it names, its resolved settings, the genome and where it came from. */
export interface GenomeFileContents<G = unknown, C = unknown> {
  kind: GenomeKind<G, C>;
  config: C;
  genome: G;
  /** The file's meta; for a run record, the record's own fields (fitness, x, generation, …). */
  meta: GenomeFileMeta;
  /** The version the file was written in: 2, or 1 for a version-1 file or a run record (upgraded on reading). */
  version: number;
}

export interface ReadGenomeOptions {
  /** The genome kinds a file's `kind` may name (the registry's). */
  kinds: Readonly<Record<string, GenomeKind<any, any>>>;
  /** The kind the caller needs: a file of another kind is refused with one line. */
  want?: string;
  /** The option that set `want`, for that line, e.g. '--genome' ("… but --genome is 'blur'; … or --genome ordering"). */
  wantedBy?: string;
  /**
   * The kind of a run record's genome that does not name one (best.json stores the bare genome), e.g. the kind in
   * the run's manifest.json beside it. Default: `want`.
   */
  bareKind?: string;
}

/** A genome file, a run record holding one (best.json, final.json), or a version-1 genome file of any kind. */
export function readGenomeFile(path: string, options: ReadGenomeOptions): GenomeFileContents {
  return parseGenomeFile(readJsonFile(path, 'genome file'), path, options);
}

/** The parsed JSON of a genome file; errors start with `where` (the file name) and name the field. */
export function parseGenomeFile(json: unknown, where: string, options: ReadGenomeOptions): GenomeFileContents {
  if (isObject(json) && json['format'] === GENOME_FILE_FORMAT) return finish(checkEnvelope(json, where), options);
  if (isRunRecord(json)) {
    const { genome, ...recordMeta } = json;
    const inner = `${where}: genome`;
    if (isObject(genome) && genome['format'] === GENOME_FILE_FORMAT) {
      const read = finish(checkEnvelope(genome, inner), options);
      return { ...read, meta: { ...recordMeta, ...read.meta } };
    }
    return { ...finish(upgrade(genome, inner, options, true), options), meta: recordMeta };
  }
  return finish(upgrade(json, where, options, false), options);
}

/** The file as JSON: the kind's payload and settings in the envelope. */
export function genomeFileJson<G, C>(kind: GenomeKind<G, C>, genome: G, config: C, meta?: GenomeFileMeta): GenomeFileJson {
  return {
    format: GENOME_FILE_FORMAT,
    version: GENOME_FILE_VERSION,
    kind: kind.name,
    config: plainJson(config) as Record<string, unknown>,
    genome: plainJson(kind.toFile(genome, config)) as Record<string, unknown>,
    ...(meta && Object.keys(meta).length > 0 ? { meta: plainJson(meta) as GenomeFileMeta } : {}),
  };
}

/**
 * Writes a genome file atomically, after reading its payload back through the kind, so that a file that would
 * not load is never written (and whatever `path` held stays).
 */
export function writeGenomeFile<G, C>(path: string, kind: GenomeKind<G, C>, genome: G, config: C, meta?: GenomeFileMeta): GenomeFileJson {
  const file = genomeFileJson(kind, genome, config, meta);
  finish(checkEnvelope(file as unknown as Record<string, unknown>, path), { kinds: { [kind.name]: kind } });
  writeTextAtomic(path, formatGenomeFile(file));
  return file;
}

/**
 * Pretty JSON (2-space indents) with every list of plain values on one line, so matrices read as rows, and each
 * short object of plain values and lists on one line (a range `{"min": 1, "max": 4, "step": 1}`).
 */
export function formatGenomeFile(file: GenomeFileJson): string {
  return `${prettyJson(file, '')}\n`;
}

/**
 * For a kind's `fromVersion1` where its version-1 file was the genome's own fields beside `format` and
 * `version: 1`: those fields. With `claimed`, JSON without a `format` (a run record's bare genome) is taken as the
 * fields as they are. Undefined where `json` is neither.
 */
export function version1Fields(json: unknown, where: string, format: string, claimed: boolean): Record<string, unknown> | undefined {
  if (!isObject(json)) return undefined;
  if (claimed && json['format'] === undefined) return json;
  if (json['format'] !== format) return undefined;
  const { format: _format, version, ...fields } = json;
  if (version !== 1)
    throw new UsageError(`${where}: unsupported version ${got(version)} of format "${format}"; this build reads its version 1 and genome files of format "${GENOME_FILE_FORMAT}"`);
  return fields;
}

// ---------------------------------------------------------------------------------------------------

/** What a file says, before its kind reads it: the kind's name, raw settings and payload, and where it came from. */
interface Unread {
  kindName: string;
  config: Record<string, unknown>;
  payload: unknown;
  /** Prefix of the payload's errors. */
  payloadWhere: string;
  /** Prefix of the file's errors. */
  where: string;
  meta: GenomeFileMeta;
  version: number;
}

function checkEnvelope(json: Record<string, unknown>, where: string): Unread {
  const bad = Object.keys(json).filter((k) => !ENVELOPE_KEYS.includes(k));
  if (bad.length > 0) throw new UsageError(`${where} has unknown key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${ENVELOPE_KEYS.join(', ')}`);
  if (json['version'] !== GENOME_FILE_VERSION)
    throw new UsageError(
      `${where}: ${json['version'] === undefined ? 'version is missing' : `unsupported version ${got(json['version'])}`}; this build reads genome file version ${GENOME_FILE_VERSION}`,
    );
  const kind = json['kind'];
  if (typeof kind !== 'string' || kind === '') throw new UsageError(`${where}: kind must be the name of a genome kind, a string (got ${got(kind)})`);
  if (!isObject(json['config'])) throw new UsageError(`${where}: config must be an object, the genome kind's settings (got ${got(json['config'])})`);
  if (!isObject(json['genome'])) throw new UsageError(`${where}: genome must be an object, the genome kind's payload (got ${got(json['genome'])})`);
  if (json['meta'] !== undefined && !isObject(json['meta'])) throw new UsageError(`${where}: meta must be an object (got ${got(json['meta'])})`);
  return {
    kindName: kind,
    config: json['config'],
    payload: json['genome'],
    payloadWhere: `${where}: genome`,
    where,
    meta: (json['meta'] as GenomeFileMeta | undefined) ?? {},
    version: GENOME_FILE_VERSION,
  };
}

/**
 * A version-1 genome: the kind whose old format it is reads it; a run record's genome that names no kind is read
 * by `bareKind` (or `want`).
 */
function upgrade(json: unknown, where: string, options: ReadGenomeOptions, inRecord: boolean): Unread {
  const unread = (kindName: string, body: GenomeFileBody): Unread => ({ kindName, config: body.config, payload: body.genome, payloadWhere: where, where, meta: {}, version: 1 });
  for (const kind of Object.values(options.kinds)) {
    const body = kind.fromVersion1?.(json, where, false);
    if (body) return unread(kind.name, body);
  }
  const format = isObject(json) ? json['format'] : undefined;
  if (format !== undefined || !isObject(json))
    throw new UsageError(
      isObject(json)
        ? `${where}: format must be "${GENOME_FILE_FORMAT}" (got ${got(format)}); is this a genome file?`
        : `${where} must be a JSON object with format "${GENOME_FILE_FORMAT}" (got ${got(json)})`,
    );
  const bare = options.bareKind ?? options.want;
  if (!inRecord) throw new UsageError(`${where}: format must be "${GENOME_FILE_FORMAT}" (got nothing); is this a genome file?`);
  if (bare === undefined)
    throw new UsageError(`${where} does not name its genome kind (a run record stores the bare genome); read it where the kind is known: with --genome, or in its run folder beside manifest.json`);
  const kind = lookupKind(bare, where, options);
  const body = kind.fromVersion1?.(json, where, true);
  if (!body) throw new UsageError(`${where} is not a genome of kind '${bare}'`);
  return unread(kind.name, body);
}

/** The kind reads its settings and payload. */
function finish(u: Unread, options: ReadGenomeOptions): GenomeFileContents {
  const { want, wantedBy } = options;
  if (want !== undefined && u.kindName !== want)
    throw new UsageError(
      wantedBy
        ? `${u.where} holds a genome of kind '${u.kindName}', but ${wantedBy} is '${want}'; give a '${want}' genome file or ${wantedBy} ${u.kindName}`
        : `${u.where} holds a genome of kind '${u.kindName}', not '${want}'; give a '${want}' genome file`,
    );
  const kind = lookupKind(u.kindName, u.where, options);
  let config: unknown;
  try {
    config = kind.resolveConfig(u.config);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${u.where}: config: ${e.message}`);
    throw e;
  }
  return { kind, config, genome: kind.fromFile(u.payload, config, u.payloadWhere), meta: u.meta, version: u.version };
}

function lookupKind(name: string, where: string, options: ReadGenomeOptions): GenomeKind<unknown, unknown> {
  if (!Object.prototype.hasOwnProperty.call(options.kinds, name)) throw new UsageError(`${where}: ${unknownName('genome kind', name, Object.keys(options.kinds)).message}`);
  return options.kinds[name]!;
}

/** best.json, a checkpoint's best, a version-1 final.json: the genome under `genome`, beside the record's own fields. */
function isRunRecord(json: unknown): json is Record<string, unknown> & { genome: unknown } {
  return isObject(json) && json['format'] === undefined && json['genome'] !== undefined;
}


function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return JSON.stringify(v);
}

function plainJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

function isPlainList(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.every((e) => e === null || typeof e !== 'object');
}

/** Longest object written on one line. */
const SHORT_OBJECT = 72;

function prettyJson(v: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (isPlainList(v)) return `[${v.map((e) => JSON.stringify(e) ?? 'null').join(', ')}]`;
    return `[\n${v.map((e) => inner + prettyJson(e, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(v)) {
    const entries = Object.entries(v).filter(([, e]) => e !== undefined);
    if (entries.length === 0) return '{}';
    if (entries.every(([, e]) => isPlainList(e) || e === null || typeof e !== 'object')) {
      const line = `{${entries.map(([k, e]) => `${JSON.stringify(k)}: ${prettyJson(e, inner)}`).join(', ')}}`;
      if (line.length <= SHORT_OBJECT) return line;
    }
    return `{\n${entries.map(([k, e]) => `${inner}${JSON.stringify(k)}: ${prettyJson(e, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
