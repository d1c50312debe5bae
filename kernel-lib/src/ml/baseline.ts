/**
 * Validation that gates, after TFX's SchemaGen / ExampleValidator split. A
 * baseline — one schema and its statistics per named span of data (e.g. `train`,
 * `test`) — comes from a reference batch and lives in a Delta table. The first
 * batch a pipeline sees becomes a *candidate*; `adopt` makes it the *reference*
 * when its run is blessed (the first blessed run's data). Every later batch is
 * checked span by span against the reference, like with like; ERROR anomalies
 * throw a DataValidationError (one-line summary, the full report saved as a run
 * artifact) unless the caller opts out with `gate: false`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import type { DeltaTable } from '../lakehouse/index.js';
import { DataValidationError, RegistryError } from './errors.js';
import { runContext } from './run-context.js';
import { computeStatistics, type DatasetStatistics } from './statistics.js';
import {
  type DataSchema,
  formatReport,
  inferSchema,
  type SchemaOptions,
  type ValidationOptions,
  type ValidationReport,
  validate,
} from './validation.js';

export interface BaselineSpan {
  schema: DataSchema;
  statistics: DatasetStatistics;
}

export interface Baseline {
  name: string;
  /** Who produced it: the run id (or a notebook session id outside runs). */
  source: string;
  status: 'candidate' | 'reference';
  createdAt: string;
  spans: Record<string, BaselineSpan>;
}

export interface BaselineCheckOptions {
  /** Default true: ERROR anomalies throw DataValidationError. `false` is the explicit opt-out. */
  gate?: boolean;
  /** Who this batch comes from; default the run id (or a fresh id outside a run). */
  source?: string;
  /** Where the full report goes when the gate closes; default this step's run artifacts folder. */
  reportDir?: string;
  schema?: SchemaOptions;
  validation?: Omit<ValidationOptions, 'batchName' | 'schemaName'>;
}

export interface BaselineCheck {
  name: string;
  source: string;
  /** The reference's source, or null when this batch had none to meet (it is the candidate). */
  reference: string | null;
  reports: ValidationReport[];
  ok: boolean;
  /** One line: what was checked against what, and the anomaly counts. */
  summary: string;
}

const COLUMNS = ['name', 'source', 'status', 'created_at', 'spans'] as const;
const NAME = /^[A-Za-z0-9_.-]+$/;

export class DataBaselines {
  /** @param table the baselines' Delta table, e.g. `lakehouse.table('gold/data_baselines')`. */
  constructor(readonly table: DeltaTable) {}

  private async all(name: string): Promise<Baseline[]> {
    if (!NAME.test(name)) throw new RegistryError(`invalid baseline name ${JSON.stringify(name)}`);
    if (!(await this.table.exists())) return [];
    const t = await this.table.read({ columns: [...COLUMNS], where: `name = '${name}'` });
    return t.toArray().map((r) => {
      const row = r.toJSON() as Record<(typeof COLUMNS)[number], string>;
      return {
        name: row.name,
        source: row.source,
        status: row.status as Baseline['status'],
        createdAt: row.created_at,
        spans: JSON.parse(row.spans),
      };
    });
  }

  /** The reference baseline of `name` (the first adopted), or undefined. */
  async reference(name: string): Promise<Baseline | undefined> {
    return (await this.all(name)).find((b) => b.status === 'reference');
  }

  private async append(b: Baseline): Promise<void> {
    const str = (v: string) => vectorFromArray([v], new Utf8());
    await this.table.append(
      new Table({
        name: str(b.name),
        source: str(b.source),
        status: str(b.status),
        created_at: str(b.createdAt),
        spans: str(JSON.stringify(b.spans)),
      }),
    );
  }

  /**
   * Checks each span of the batch against the reference baseline's span of the
   * same name; with no reference yet, the batch's own schema is recorded as a
   * candidate (and the batch passes against itself, as in TFX's first span).
   * @throws DataValidationError when the gate is on and a span has ERROR anomalies.
   */
  async check(name: string, spans: Record<string, Table>, options: BaselineCheckOptions = {}): Promise<BaselineCheck> {
    const context = runContext();
    const source = options.source ?? context?.runId ?? `session-${randomUUID()}`;
    const reference = await this.reference(name);
    const against: Record<string, BaselineSpan> =
      reference?.spans ??
      Object.fromEntries(
        Object.entries(spans).map(([span, t]) => [
          span,
          { schema: inferSchema(t, options.schema), statistics: computeStatistics(t) },
        ]),
      );
    if (!reference) {
      await this.append({ name, source, status: 'candidate', createdAt: new Date().toISOString(), spans: against });
    }
    const baselineName = reference
      ? `baseline ${name} (reference from ${reference.source})`
      : `baseline ${name} (candidate)`;
    const reports = Object.entries(spans).map(([span, t]) => {
      const base = against[span];
      if (!base)
        throw new RegistryError(`baseline ${name} has no span '${span}' (it has ${Object.keys(against).join(', ')})`);
      return validate(t, base.schema, {
        ...options.validation,
        batchName: span,
        schemaName: `${baselineName}, span ${span}`,
      });
    });
    const errors = reports.flatMap((r) =>
      r.anomalies.filter((a) => a.severity === 'error').map((a) => ({ span: r.batchName, ...a })),
    );
    const warnings = reports.reduce((n, r) => n + r.anomalies.length, 0) - errors.length;
    const summary =
      `${Object.keys(spans).join(' + ')} against ${baselineName}: ` +
      `${errors.length} ERROR, ${warnings} warning anomalies`;
    const result = { name, source, reference: reference?.source ?? null, reports, ok: errors.length === 0, summary };
    if (result.ok || options.gate === false) return result;
    const report = reports.map(formatReport).join('\n\n');
    const dir = options.reportDir ?? context?.artifacts ?? null;
    let reportPath: string | null = null;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      reportPath = path.join(dir, `validation-${name}.txt`);
      writeFileSync(reportPath, `${summary}\n\n${report}\n`);
      writeFileSync(path.join(dir, `validation-${name}.json`), `${JSON.stringify(reports, null, 2)}\n`);
    }
    const shown = errors
      .slice(0, 3)
      .map((e) => `${e.span}.${e.column} ${e.kind}${e.value === undefined ? '' : ` ${e.value.toFixed(3)}`}`);
    const more = errors.length > shown.length ? ` and ${errors.length - shown.length} more` : '';
    throw new DataValidationError(
      `data validation failed: ${summary} (${shown.join(', ')}${more}); full report: ${reportPath ?? 'DataValidationError.report (not in a run)'}`,
      report,
      reportPath,
    );
  }

  /**
   * Makes `source`'s candidate the reference of `name` — call it when that run is
   * blessed. A no-op returning false when a reference exists already (the first
   * blessed run's data stays the reference) or `source` left no candidate.
   */
  async adopt(name: string, source: string): Promise<boolean> {
    const all = await this.all(name);
    if (all.some((b) => b.status === 'reference')) return false;
    const candidate = all.find((b) => b.source === source && b.status === 'candidate');
    if (!candidate) return false;
    await this.append({ ...candidate, status: 'reference', createdAt: new Date().toISOString() });
    return true;
  }
}
