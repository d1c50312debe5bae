/**
 * A model registry in the lakehouse (TFX's Pusher, with a memory): one
 * append-only Delta table of events. A `registered` row holds a new version
 * of a named model — its bytes, metrics, parameters and feature names; a
 * `blessed` row marks a version as the one to serve. Delta's log gives every
 * change a table version, so the registry's whole history is auditable and
 * time-travelable. Versions are numbered per model name from 1; one writer
 * per model name is assumed (concurrent registrations could pick the same number).
 *
 * Every version is stored twice: `model`, the legacy binary the WASM build
 * saves, and `model_json`, XGBoost's JSON model format written from the same
 * trees (what current native XGBoost loads without the legacy path). Either
 * loads; tables written before `model_json` existed gain the column on the
 * next registration.
 */
import { createHash } from 'node:crypto';
import { Binary, Int32, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import type { DeltaTable } from '../lakehouse/index.js';
import { RegistryError } from './errors.js';
import type { Metrics } from './evaluator.js';
import { XGBoostModel } from './xgboost.js';

export interface ModelVersion {
  name: string;
  version: number;
  /** ISO time of registration. */
  createdAt: string;
  metrics: Record<string, number>;
  params: Record<string, string | number>;
  featureNames: string[];
  /** SHA-256 of the model bytes. */
  sha256: string;
  size: number;
  /** SHA-256 of the JSON model (null for versions registered before the JSON copy existed). */
  jsonSha256: string | null;
  /** Free text: which run or notebook produced it. */
  source: string | null;
  /** True when this is the currently blessed version of its model. */
  blessed: boolean;
}

export interface RegisterOptions {
  metrics?: Metrics;
  source?: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const META_COLUMNS = [
  'event',
  'name',
  'version',
  'created_at',
  'metrics',
  'params',
  'feature_names',
  'sha256',
  'size',
  'source',
  'note',
];
/** Added later: read when the table has it. */
const JSON_HASH = 'json_sha256';

interface EventRow {
  event: 'registered' | 'blessed';
  name: string;
  version: number;
  created_at: string;
  metrics: string | null;
  params: string | null;
  feature_names: string | null;
  sha256: string | null;
  size: number | null;
  source: string | null;
  note: string | null;
  json_sha256?: string | null;
}

interface ModelBytes {
  legacy: Uint8Array;
  json: Uint8Array;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function eventTable(row: EventRow, model: ModelBytes | null): Table {
  const str = (v: string | null) => vectorFromArray([v], new Utf8());
  return new Table({
    event: str(row.event),
    name: str(row.name),
    version: makeVector(Int32Array.of(row.version)),
    created_at: str(row.created_at),
    metrics: str(row.metrics),
    params: str(row.params),
    feature_names: str(row.feature_names),
    sha256: str(row.sha256),
    size: vectorFromArray([row.size], new Int32()),
    source: str(row.source),
    note: str(row.note),
    json_sha256: str(row.json_sha256 ?? null),
    model: vectorFromArray([model?.legacy ?? null], new Binary()),
    model_json: vectorFromArray([model?.json ?? null], new Binary()),
  });
}

export class ModelRegistry {
  /** @param table the registry's Delta table, e.g. `lakehouse.table('gold/models')`. */
  constructor(readonly table: DeltaTable) {}

  private checkName(name: string): void {
    if (!NAME.test(name)) {
      throw new RegistryError(`invalid model name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-'`);
    }
  }

  private async events(name: string): Promise<EventRow[]> {
    if (!(await this.table.exists())) return [];
    const has = new Set((await this.table.snapshot()).schema.fields.map((f) => f.name));
    const columns = has.has(JSON_HASH) ? [...META_COLUMNS, JSON_HASH] : META_COLUMNS;
    const t = await this.table.read({ columns, where: `name = '${name}'` });
    return t.toArray().map((r) => r.toJSON() as unknown as EventRow);
  }

  /** Every registered version of `name`, oldest first. */
  async versions(name: string): Promise<ModelVersion[]> {
    this.checkName(name);
    const events = await this.events(name);
    const blessed = events.filter((e) => e.event === 'blessed').at(-1)?.version;
    return events
      .filter((e) => e.event === 'registered')
      .sort((a, b) => a.version - b.version)
      .map((e) => ({
        name: e.name,
        version: e.version,
        createdAt: e.created_at,
        metrics: JSON.parse(e.metrics ?? '{}'),
        params: JSON.parse(e.params ?? '{}'),
        featureNames: JSON.parse(e.feature_names ?? '[]'),
        sha256: e.sha256 ?? '',
        size: e.size ?? 0,
        jsonSha256: e.json_sha256 ?? null,
        source: e.source,
        blessed: e.version === blessed,
      }));
  }

  /** Registers a new version (the next number for `name`) with its bytes and metrics. */
  async register(name: string, model: XGBoostModel, options: RegisterOptions = {}): Promise<ModelVersion> {
    this.checkName(name);
    const bytes = model.toBytes();
    const json = new TextEncoder().encode(model.toJsonModel());
    const existing = await this.versions(name);
    const version = (existing.at(-1)?.version ?? 0) + 1;
    const row: EventRow = {
      event: 'registered',
      name,
      version,
      created_at: new Date().toISOString(),
      metrics: JSON.stringify(options.metrics ?? {}),
      params: JSON.stringify(model.params),
      feature_names: JSON.stringify(model.featureNames),
      sha256: sha256(bytes),
      size: bytes.byteLength,
      source: options.source ?? null,
      note: null,
      json_sha256: sha256(json),
    };
    await this.table.append(eventTable(row, { legacy: bytes, json }), { mergeSchema: true });
    return (await this.versions(name)).find((v) => v.version === version)!;
  }

  /**
   * Marks `version` of `name` as blessed (the serving model); `note` records why.
   * @throws RegistryError for an unknown version.
   */
  async bless(name: string, version: number, note?: string): Promise<void> {
    const versions = await this.versions(name);
    if (!versions.some((v) => v.version === version)) {
      throw new RegistryError(
        `cannot bless ${name} version ${version}: registered versions are ${versions.map((v) => v.version).join(', ') || 'none'}`,
      );
    }
    await this.table.append(
      eventTable(
        {
          event: 'blessed',
          name,
          version,
          created_at: new Date().toISOString(),
          metrics: null,
          params: null,
          feature_names: null,
          sha256: null,
          size: null,
          source: null,
          note: note ?? null,
        },
        null,
      ),
      { mergeSchema: true },
    );
  }

  /** The newest registered version, or the blessed one with `{ blessed: true }`; undefined if none. */
  async latest(name: string, options: { blessed?: boolean } = {}): Promise<ModelVersion | undefined> {
    const versions = await this.versions(name);
    return options.blessed ? versions.find((v) => v.blessed) : versions.at(-1);
  }

  /**
   * Loads a version's model: a number, 'latest' or 'blessed'. The bytes' hash is
   * checked against the registered one.
   * @throws RegistryError when the version does not exist or its bytes do not match.
   */
  async load(name: string, version: number | 'latest' | 'blessed' = 'blessed'): Promise<XGBoostModel> {
    return XGBoostModel.fromBytes(await this.modelBytes(name, version, 'legacy'));
  }

  /**
   * A version's stored model bytes, hash-checked: `legacy` (the binary the WASM
   * build saves) or `json` (XGBoost's JSON model format, for native XGBoost).
   * @throws RegistryError when the version does not exist, has no such copy, or its bytes do not match.
   */
  async modelBytes(
    name: string,
    version: number | 'latest' | 'blessed' = 'blessed',
    format: 'legacy' | 'json' = 'legacy',
  ): Promise<Uint8Array> {
    const versions = await this.versions(name);
    const v =
      version === 'latest'
        ? versions.at(-1)
        : version === 'blessed'
          ? versions.find((x) => x.blessed)
          : versions.find((x) => x.version === version);
    if (!v) {
      throw new RegistryError(
        `model ${name} has no ${typeof version === 'number' ? `version ${version}` : `${version} version`} in ${this.table.path}`,
      );
    }
    const expected = format === 'json' ? v.jsonSha256 : v.sha256;
    const column = format === 'json' ? 'model_json' : 'model';
    if (!expected) {
      throw new RegistryError(
        `model ${name} version ${v.version} was registered without a JSON copy in ${this.table.path}`,
      );
    }
    const t = await this.table.read({
      columns: [column],
      where: `name = '${name}' AND event = 'registered' AND version = ${v.version}`,
    });
    const bytes = t.getChild(column)?.get(0) as Uint8Array | null | undefined;
    if (!bytes) throw new RegistryError(`model ${name} version ${v.version}: no ${column} bytes in ${this.table.path}`);
    const sha = sha256(bytes);
    if (sha !== expected) {
      throw new RegistryError(
        `model ${name} version ${v.version}: ${column} hash ${sha} does not match registered ${expected}`,
      );
    }
    return bytes;
  }
}
