/**
 * Exactly-once ingestion of the files arriving in a folder (Spark's file
 * stream source + Delta sink, run as "available now"):
 * 1. plan: the new files (not in any earlier batch) become batch n, and the
 *    plan is written to `<table>/_stillwater_stream/<appId>/<n>.json` before
 *    anything else happens (a write-ahead offset log);
 * 2. commit: the batch's rows are appended with the Delta `txn` action
 *    (appId, n) in the same commit, so the table itself records that batch n
 *    is in;
 * 3. restart: the last planned batch is re-run only if the table's txn for
 *    appId is below it — the append is idempotent, so a crash anywhere (before
 *    the plan, between plan and commit, after the commit) neither loses nor
 *    duplicates a file.
 * Files must appear atomically (write elsewhere, then rename into the folder),
 * as for Spark. The parser is the caller's (the lakehouse knows no formats):
 * the kernel's `parseCmapss` for C-MAPSS files.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as arrow from 'apache-arrow';
import { InvalidArgumentError } from './errors.js';
import type { DeltaTable } from './table.js';

export interface StreamIngestOptions {
  /** Turns one file's bytes into rows (e.g. the kernel's `parseCmapss`). */
  parse: (text: string, file: string) => arrow.Table;
  /** Identity of this stream in the table's `txn` actions (default `stream:<folder name>`). */
  appId?: string;
  /** Which file names to take (default: every file not starting with `.` or `_`). */
  pattern?: RegExp;
  /** At most this many files per commit (default 100). */
  maxFilesPerBatch?: number;
  /** Partition columns when the table is created. */
  partitionBy?: string[];
  /** Called after each committed batch (progress, tests). */
  onBatch?: (b: StreamBatch) => void;
}

export interface StreamBatch {
  batch: number;
  files: string[];
  rows: number;
  version: number | undefined;
  /** The batch was already in the table (a re-run after a crash). */
  skipped: boolean;
}

export interface StreamIngestResult {
  appId: string;
  batches: StreamBatch[];
  numFiles: number;
  numRows: number;
}

interface Plan {
  batch: number;
  files: string[];
}

export async function streamIngest(
  dir: string,
  table: DeltaTable,
  opts: StreamIngestOptions,
): Promise<StreamIngestResult> {
  const appId = opts.appId ?? `stream:${path.basename(path.resolve(dir))}`;
  const max = opts.maxFilesPerBatch ?? 100;
  if (!(Number.isSafeInteger(max) && max > 0)) {
    throw new InvalidArgumentError(`streamIngest: maxFilesPerBatch must be a positive integer, got ${max}`);
  }
  const logDir = path.join(table.path, '_stillwater_stream', encodeURIComponent(appId));
  await fs.mkdir(logDir, { recursive: true });
  const plans = await readPlans(logDir);
  const seen = new Set(plans.flatMap((p) => p.files));
  const result: StreamIngestResult = { appId, batches: [], numFiles: 0, numRows: 0 };
  const run = async (plan: Plan): Promise<void> => {
    const b = await commitBatch(dir, table, appId, plan, opts);
    result.batches.push(b);
    if (!b.skipped) {
      result.numFiles += b.files.length;
      result.numRows += b.rows;
    }
    opts.onBatch?.(b);
  };
  // Re-run the last planned batch: a no-op when its commit made it into the table.
  const last = plans[plans.length - 1];
  if (last) await run(last);
  let next = (last?.batch ?? -1) + 1;
  for (;;) {
    const fresh = (await listInputs(dir, opts.pattern)).filter((f) => !seen.has(f));
    if (fresh.length === 0) return result;
    const plan: Plan = { batch: next++, files: fresh.slice(0, max) };
    await writePlan(logDir, plan);
    for (const f of plan.files) seen.add(f);
    await run(plan);
  }
}

async function commitBatch(
  dir: string,
  table: DeltaTable,
  appId: string,
  plan: Plan,
  opts: StreamIngestOptions,
): Promise<StreamBatch> {
  const parts: arrow.Table[] = [];
  for (const f of plan.files) {
    const file = path.join(dir, f);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(
        `streamIngest: batch ${plan.batch} of ${appId} lists ${file}, which cannot be read (${(e as NodeJS.ErrnoException).code}); input files must not be removed before they are ingested`,
      );
    }
    parts.push(opts.parse(text, file));
  }
  const rows = parts.length === 1 ? parts[0]! : parts[0]!.concat(...parts.slice(1));
  const r = await table.write(rows, {
    mode: 'append',
    txn: { appId, version: plan.batch },
    ...(opts.partitionBy ? { partitionBy: opts.partitionBy } : {}),
  });
  return {
    batch: plan.batch,
    files: plan.files,
    rows: rows.numRows,
    version: r.version,
    skipped: r.skipped !== undefined,
  };
}

async function listInputs(dir: string, pattern: RegExp | undefined): Promise<string[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (e) {
    throw new InvalidArgumentError(`streamIngest: cannot list the input folder ${dir}: ${(e as Error).message}`);
  }
  return names.filter((n) => (pattern ? pattern.test(n) : !n.startsWith('.') && !n.startsWith('_'))).sort();
}

async function readPlans(logDir: string): Promise<Plan[]> {
  const plans: Plan[] = [];
  for (const name of await fs.readdir(logDir)) {
    const m = /^(\d+)\.json$/.exec(name);
    if (!m) continue;
    const plan = JSON.parse(await fs.readFile(path.join(logDir, name), 'utf8')) as Plan;
    plans.push(plan);
  }
  return plans.sort((a, b) => a.batch - b.batch);
}

/** Atomic: a temp file renamed into place, so a crash leaves the whole plan or none. */
async function writePlan(logDir: string, plan: Plan): Promise<void> {
  const file = path.join(logDir, `${plan.batch}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(plan));
  await fs.rename(tmp, file);
}
