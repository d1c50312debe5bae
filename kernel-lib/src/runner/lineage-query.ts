/**
 * `stillwater runs lineage TABLE[@VERSION]` and the history view's lineage: which run and
 * step wrote a table version, from which inputs. The table's own log answers who wrote it
 * (`commitInfo.stillwater`, runtime/commit-tags.ts), so the answer survives a lost or
 * different home; the home's history then adds what that step read and consumed.
 */
import path from 'node:path';
import { DeltaTable } from '../lakehouse/table.js';
import type { TableVersionLineage } from '../contracts/run-records.js';
import { LineageQueryError } from './errors.js';
import type { RunHistory } from './history.js';
import type { StepExecutionRecord } from './records.js';

/** `TABLE[@VERSION]` → the table's absolute path and the version asked for (undefined: latest). */
export function parseTableRef(ref: string, cwd: string): { table: string; version?: number } {
  const m = /^(.+?)@(\d+)$/.exec(ref);
  if (!m) {
    if (/@[^/]*$/.test(ref)) throw new LineageQueryError(`"${ref}": expected TABLE or TABLE@VERSION, VERSION a number`);
    return { table: path.resolve(cwd, ref) };
  }
  return { table: path.resolve(cwd, m[1]!), version: Number(m[2]) };
}

export async function tableVersionLineage(
  history: RunHistory,
  table: string,
  version?: number,
): Promise<TableVersionLineage> {
  const entries = await new DeltaTable(table).history();
  const latest = entries[0]!.version;
  const wanted = version ?? latest;
  const entry = entries.find((e) => e.version === wanted);
  if (!entry) {
    throw new LineageQueryError(
      `table ${table} has no version ${wanted} in its log (latest ${latest}${entries.length > 1 ? `, oldest ${entries.at(-1)!.version}` : ''})`,
    );
  }
  const tagged = runInfoOf(entry.stillwater);
  const execution = tagged
    ? (await history.stepExecutions(tagged.runId)).find((s) => s.step === tagged.step)
    : await findWriter(history, table, wanted);
  const run = execution ? ((await history.getRun(execution.runId)) ?? null) : null;
  const writtenBy = tagged ?? (execution ? { runId: execution.runId, step: execution.step, notebook: null } : null);
  return {
    table,
    version: wanted,
    operation: typeof entry.operation === 'string' ? entry.operation : null,
    committedAt: new Date(entry.timestamp).toISOString(),
    writtenBy,
    run,
    stepExecution: execution ?? null,
    inputs: execution ? await inputsOf(history, execution) : null,
  };
}

function runInfoOf(v: unknown): TableVersionLineage['writtenBy'] {
  const o = v as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object' || typeof o.runId !== 'string' || typeof o.step !== 'string') return null;
  return { runId: o.runId, step: o.step, notebook: typeof o.notebook === 'string' ? o.notebook : null };
}

/** A commit without the tag (a runtime that predates it): the execution whose lineage lists the version. */
async function findWriter(history: RunHistory, table: string, version: number) {
  for (const run of await history.listRuns()) {
    for (const s of await history.stepExecutions(run.runId)) {
      if (s.lineage?.tablesWritten.some((w) => w.table === table && w.version === version)) return s;
    }
  }
  return undefined;
}

async function inputsOf(history: RunHistory, s: StepExecutionRecord): Promise<TableVersionLineage['inputs']> {
  const siblings = await history.stepExecutions(s.runId);
  const producer = (hash: string) => siblings.find((o) => Object.values(o.outputs).includes(hash))?.step ?? null;
  return {
    tables: s.lineage?.tablesRead ?? [],
    artifacts: Object.entries(s.inputs).map(([name, sha256]) => ({ name, sha256, fromStep: producer(sha256) })),
    files: (s.tracedInputs?.files ?? []).map((f) => ({ path: f.path, sha256: f.sha256 })),
    params: s.params,
  };
}
