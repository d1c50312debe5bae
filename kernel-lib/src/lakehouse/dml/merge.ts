/**
 * MERGE INTO target USING source ON … WHEN … (Spark's MergeIntoCommand),
 * copy-on-write:
 * 1. the source is indexed by the ON condition's equality keys
 *    (`merge-join.ts`), and target files whose stats cannot hold a key in the
 *    source's range are skipped (unless a NOT MATCHED BY SOURCE clause needs
 *    every row);
 * 2. each remaining target file is read and every row classified: matched
 *    (first WHEN MATCHED clause whose condition holds: update or delete),
 *    not matched by source (likewise), or untouched;
 * 3. files with an updated or deleted row are removed and rewritten (copied
 *    rows + updated rows) — or, with deletion vectors enabled, keep their
 *    unchanged rows and get a DV marking the changed ones; source rows that matched no target row go through
 *    the WHEN NOT MATCHED clauses into new files.
 * A target row matched by two source rows makes the result ambiguous: the
 * merge fails like Spark's (DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE)
 * before anything is committed.
 */
import * as arrow from 'apache-arrow';
import type { AddFile } from '../actions.js';
import { DeltaError } from '../errors.js';
import { bindExpr } from '../expr.js';
import { dataSchema } from '../schema-enforcement.js';
import { deltaToArrow } from '../schema.js';
import type { Snapshot } from '../snapshot.js';
import type { Storage } from '../storage/storage.js';
import { takeRows } from '../take.js';
import { applyAssignments, buildRows, patchAssignments, readersFor } from './assign.js';
import { checkTxn, commitDml, type DmlResult, dryRunResult, skippedResult, txnApplied } from './commit-dml.js';
import { DeletionVectorWriter, usesDeletionVectors } from './dv-writes.js';
import { assertDmlAllowed, fileMayMatch, mapFiles, rowsWhere, since, sumSizes } from './files.js';
import { type BoundClause, bindClauses, clauseParameters, type MergeOptions } from './merge-clauses.js';
import { equiKeys, indexSource, keyColumn, pruningFilter } from './merge-join.js';
import { RowSink } from './row-sink.js';
import { bindRowExpr, evalBound, type RowContext, type Scope } from './row-eval.js';

/** Spark's DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE. */
export class MergeMultipleMatchesError extends DeltaError {}

interface FileOutcome {
  add: AddFile;
  numCopied: number;
  /** Positions (among the file's live rows) of rows updated or deleted: what a deletion vector marks. */
  changed: Int32Array;
  numLive: number;
}

export async function mergeInto(
  storage: Storage,
  snap: Snapshot,
  source: arrow.Table,
  opts: MergeOptions,
): Promise<DmlResult> {
  const t0 = performance.now();
  assertDmlAllowed(snap, 'MERGE into');
  checkTxn(opts.txn, snap.tablePath);
  const sourceSchema = dataSchema(source.schema, 'the MERGE source');
  const scopes: Scope[] = [
    { aliases: [opts.targetAlias ?? 't', 'target'], schema: snap.schema },
    { aliases: [opts.sourceAlias ?? 's', 'source'], schema: sourceSchema },
  ];
  const on = bindRowExpr(opts.on, scopes, 'MERGE ON');
  const clauses = bindClauses(opts, scopes);
  if (txnApplied(snap, opts.txn)) return skippedResult('MERGE', 'transaction already applied');

  const { pairs, onlyKeys } = equiKeys(on);
  const index = pairs.length > 0 ? indexSource(source, pairs) : undefined;
  const prune = index && clauses.notMatchedBySource.length === 0 ? pruningFilter(pairs, index, snap.schema) : undefined;
  const mayMatch = fileMayMatch(snap, prune ? bindExpr(prune, snap.schema) : undefined);
  const candidates = snap.files.filter(mayMatch);
  // Merge-on-read: changed target rows are marked in deletion vectors; unchanged rows are not copied.
  const dvs = usesDeletionVectors(snap) ? new DeletionVectorWriter(storage) : undefined;
  const sourceMatched = new Uint8Array(source.numRows);
  const counts = { matchedUpdated: 0, matchedDeleted: 0, bySourceUpdated: 0, bySourceDeleted: 0 };
  const onlyUnconditionalDelete =
    clauses.matched.length === 1 && clauses.matched[0]!.kind === 'delete' && !clauses.matched[0]!.condition;
  const conditions = [
    on,
    ...Object.values(clauses).flatMap((l: BoundClause[]) => l.flatMap((c) => (c.condition ? [c.condition] : []))),
  ];

  // Rewritten rows are written while the next files are read (nothing is written for a dry run).
  const sink = opts.dryRun ? undefined : new RowSink(storage, snap);
  let commitStarted = false;
  try {
    return await mergeFiles();
  } catch (e) {
    if (!commitStarted) await sink?.abort();
    throw e;
  }
  async function mergeFiles(): Promise<DmlResult> {
    const tScan = performance.now();
    const outcomes = await mapFiles(snap, storage, candidates, (add, rows): FileOutcome | undefined => {
      const ctx: RowContext = { readers: readersFor(conditions, [rows, source]), rows: [-1, -1] };
      const targetKeys = index
        ? keyColumn(
            rows,
            pairs.map((p) => p.target),
          )
        : undefined;
      const action = new Int32Array(rows.numRows).fill(-1); // -1 copy, else clause slot
      const partner = new Int32Array(rows.numRows).fill(-1);
      const slots = [...clauses.matched, ...clauses.notMatchedBySource];
      let changed = false;
      let first = -1;
      let matches = 0;
      // Source row j is a match of the current target row (the ON condition holds).
      const consider = (j: number): void => {
        ctx.rows[1] = j;
        if (!(onlyKeys && index) && evalBound(on, ctx) !== true) return;
        sourceMatched[j] = 1;
        if (first < 0) first = j;
        matches++;
      };
      for (let i = 0; i < rows.numRows; i++) {
        ctx.rows[0] = i;
        first = -1;
        matches = 0;
        if (targetKeys) {
          const key = targetKeys[i];
          const hit = key === undefined ? undefined : index!.byKey.get(key);
          if (typeof hit === 'number') consider(hit);
          else if (hit !== undefined) for (const j of hit) consider(j);
        } else {
          for (let j = 0; j < source.numRows; j++) consider(j);
        }
        if (matches === 0 && clauses.notMatchedBySource.length === 0) continue;
        if (matches > 1 && clauses.matched.length > 0 && !onlyUnconditionalDelete) {
          throw new MergeMultipleMatchesError(
            `MERGE into ${snap.tablePath}: ${matches} source rows matched the same target row (row ${i} of ${add.path}) ` +
              'and attempted to modify it in possibly conflicting ways. By SQL semantics of MERGE the result is ambiguous; ' +
              'preprocess the source to remove duplicate keys. Nothing was committed.',
          );
        }
        const list = matches > 0 ? clauses.matched : clauses.notMatchedBySource;
        ctx.rows[1] = matches > 0 ? first : -1;
        const k = list.findIndex((c) => !c.condition || evalBound(c.condition, ctx) === true);
        if (k < 0) continue;
        const clause = list[k]!;
        action[i] = matches > 0 ? k : clauses.matched.length + k;
        partner[i] = first;
        changed = true;
        const bucket = matches > 0 ? 'matched' : 'bySource';
        counts[`${bucket}${clause.kind === 'delete' ? 'Deleted' : 'Updated'}`]++;
      }
      if (!changed) return undefined;
      const out = rewriteFile(rows, source, slots, action, partner, dvs !== undefined);
      if (sink) sink.add(out.rows, ...out.updated);
      return { add, numCopied: out.numCopied, changed: out.changed, numLive: rows.numRows };
    });
    const scanTimeMs = since(tScan);

    const touched = outcomes.filter((o): o is FileOutcome => o !== undefined);
    const inserted = insertRows(source, sourceMatched, clauses.notMatched, deltaToArrow(snap.schema));
    const numInserted = inserted.reduce((a, t) => a + t.numRows, 0);
    if (touched.length === 0 && numInserted === 0) {
      return { ...skippedResult('MERGE', 'no changes'), metrics: { numSourceRows: source.numRows } };
    }
    if (opts.dryRun) {
      return dryRunResult('MERGE', {
        numSourceRows: source.numRows,
        numTargetRowsInserted: numInserted,
        numTargetRowsUpdated: counts.matchedUpdated + counts.bySourceUpdated,
        numTargetRowsDeleted: counts.matchedDeleted + counts.bySourceDeleted,
        numTargetRowsCopied: touched.reduce((a, o) => a + o.numCopied, 0),
        numTargetFilesRemoved: touched.length,
      });
    }
    const tWrite = performance.now();
    sink!.add(...inserted);
    const written = await sink!.finish();
    for (const o of dvs ? touched : []) await dvs!.mark(o.add, o.changed, o.numLive);
    const dv = await dvs?.finish();
    const removes = dv ? dv.removes : touched.map((o) => o.add);
    const numCopied = touched.reduce((a, o) => a + o.numCopied, 0);
    const numUpdated = counts.matchedUpdated + counts.bySourceUpdated;
    // Past this point a failure may come after the commit landed: the files must stay.
    commitStarted = true;
    return commitDml(storage, snap, {
      operation: 'MERGE',
      parameters: {
        predicate: [opts.on],
        matchedPredicates: clauseParameters(clauses.matched),
        notMatchedPredicates: clauseParameters(clauses.notMatched),
        notMatchedBySourcePredicates: clauseParameters(clauses.notMatchedBySource),
      },
      metrics: {
        numTargetRowsCopied: numCopied,
        numTargetRowsDeleted: counts.matchedDeleted + counts.bySourceDeleted,
        numTargetFilesAdded: written.adds.length,
        numTargetBytesAdded: written.numOutputBytes,
        numTargetBytesRemoved: dv ? 0 : sumSizes(removes),
        numTargetDeletionVectorsAdded: dv?.metrics.numDeletionVectorsAdded ?? 0,
        numTargetRowsMatchedUpdated: counts.matchedUpdated,
        executionTimeMs: since(t0),
        numTargetRowsInserted: numInserted,
        numTargetRowsMatchedDeleted: counts.matchedDeleted,
        numTargetDeletionVectorsUpdated: dv?.metrics.numDeletionVectorsUpdated ?? 0,
        scanTimeMs,
        numTargetRowsUpdated: numUpdated,
        numOutputRows: numCopied + numUpdated + numInserted,
        numTargetDeletionVectorsRemoved: dv?.metrics.numDeletionVectorsRemoved ?? 0,
        numTargetRowsNotMatchedBySourceUpdated: counts.bySourceUpdated,
        numTargetChangeFilesAdded: 0,
        numSourceRows: source.numRows,
        numTargetFilesRemoved: dv ? dv.removes.length - dv.adds.length : removes.length,
        numTargetRowsNotMatchedBySourceDeleted: counts.bySourceDeleted,
        rewriteTimeMs: since(tWrite),
      },
      read: prune ? { files: candidates, predicate: mayMatch } : 'all',
      removes,
      adds: [...written.adds, ...(dv?.adds ?? [])],
      ...(opts.txn ? { txn: opts.txn } : {}),
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    });
  }
}

/** Source rows that matched no target row, through the first NOT MATCHED clause whose condition holds. */
function insertRows(
  source: arrow.Table,
  matched: Uint8Array,
  clauses: BoundClause[],
  targetArrow: arrow.Schema,
): arrow.Table[] {
  if (clauses.length === 0) return [];
  const perClause = clauses.map(() => [] as number[]);
  const ctx: RowContext = {
    readers: readersFor(
      clauses.flatMap((c) => (c.condition ? [c.condition] : [])),
      [undefined, source],
    ),
    rows: [-1, -1],
  };
  for (let j = 0; j < source.numRows; j++) {
    if (matched[j]) continue;
    ctx.rows[1] = j;
    const k = clauses.findIndex((c) => !c.condition || evalBound(c.condition, ctx) === true);
    if (k >= 0) perClause[k]!.push(j);
  }
  return clauses.flatMap((c, k) => {
    const rows = perClause[k]!;
    if (rows.length === 0) return [];
    const none = new Int32Array(rows.length).fill(-1);
    const empty = new arrow.Table(targetArrow);
    return [
      buildRows(targetArrow, rows.length, c.assignments, [
        { table: empty, rows: none },
        { table: source, rows },
      ]),
    ];
  });
}

/**
 * What a touched file becomes: copy-on-write, its rows with the updated ones
 * changed in place and the deleted ones dropped (or, when a column cannot be
 * patched, the untouched rows gathered plus the updated rows); with deletion
 * vectors, only the updated rows, and the positions the DV marks.
 */
function rewriteFile(
  rows: arrow.Table,
  source: arrow.Table,
  slots: BoundClause[],
  action: Int32Array,
  partner: Int32Array,
  withDvs: boolean,
): { rows?: arrow.Table; updated: arrow.Table[]; numCopied: number; changed: Int32Array } {
  const changedIdx: number[] = [];
  const perSlot = slots.map(() => ({ t: [] as number[], s: [] as number[] }));
  let deletes = 0;
  for (let i = 0; i < rows.numRows; i++) {
    const a = action[i]!;
    if (a < 0) continue;
    changedIdx.push(i);
    if (slots[a]!.kind === 'update') {
      perSlot[a]!.t.push(i);
      perSlot[a]!.s.push(partner[i]!);
    } else deletes++;
  }
  const changed = Int32Array.from(changedIdx);
  const numCopied = rows.numRows - changed.length;
  const updates = slots.flatMap((clause, k) => {
    const { t, s } = perSlot[k]!;
    if (clause.kind !== 'update' || t.length === 0) return [];
    const inputs = [
      { table: rows, rows: t },
      { table: source, rows: s },
    ];
    return [{ assignments: clause.assignments, inputs }];
  });
  const patched = withDvs ? undefined : patchAssignments(rows, updates);
  if (patched) {
    const isDelete = (a: number) => (a >= 0 && slots[a]!.kind === 'delete' ? 1 : 0);
    return {
      rows: deletes ? takeRows(patched, rowsWhere(Uint8Array.from(action, isDelete), 0)) : patched,
      updated: [],
      numCopied,
      changed,
    };
  }
  const updated = updates.map((u) => applyAssignments(takeRows(rows, u.inputs[0]!.rows), u.assignments, u.inputs));
  if (withDvs) return { updated, numCopied: 0, changed };
  const copy = rowsWhere(
    Uint8Array.from(action, (a) => (a < 0 ? 1 : 0)),
    1,
  );
  return { rows: copy.length ? takeRows(rows, copy) : undefined, updated, numCopied, changed };
}
