/**
 * A model registry in the lakehouse (TFX's Pusher, with a memory): one
 * append-only Delta table of events. A `registered` row holds a new version
 * of a named model — its bytes, metrics, parameters and feature names; a
 * `blessed` row marks a version as the one to serve. Delta's log gives every
 * change a table version, so the registry's whole history is auditable and
 * time-travelable. Versions are numbered per model name from 1; one writer
 * per model name is assumed (concurrent registrations could pick the same number).
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
}

function eventTable(row: EventRow, model: Uint8Array | null): Table {
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
    model: vectorFromArray([model], new Binary()),
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
    const t = await this.table.read({ columns: META_COLUMNS, where: `name = '${name}'` });
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
        source: e.source,
        blessed: e.version === blessed,
      }));
  }

  /** Registers a new version (the next number for `name`) with its bytes and metrics. */
  async register(name: string, model: XGBoostModel, options: RegisterOptions = {}): Promise<ModelVersion> {
    this.checkName(name);
    const bytes = model.toBytes();
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
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.byteLength,
      source: options.source ?? null,
      note: null,
    };
    await this.table.append(eventTable(row, bytes));
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
    const t = await this.table.read({
      columns: ['model'],
      where: `name = '${name}' AND event = 'registered' AND version = ${v.version}`,
    });
    const bytes = t.getChild('model')?.get(0) as Uint8Array | null | undefined;
    if (!bytes) throw new RegistryError(`model ${name} version ${v.version}: no model bytes in ${this.table.path}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== v.sha256) {
      throw new RegistryError(
        `model ${name} version ${v.version}: bytes hash ${sha} does not match registered ${v.sha256}`,
      );
    }
    return XGBoostModel.fromBytes(bytes);
  }
}
