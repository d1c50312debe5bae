// A DML writer process for the concurrency test; imports the built package.
// usage: node dml-worker.mjs <table> <plan.json> <worker>
// Prints "ready", waits for a line on stdin, then runs its ops back to back, printing one
// JSON line per op: {seq, version} when committed, {seq, conflict} when a concurrent commit
// conflicted. Any other error exits non-zero.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import { ConcurrentModificationError, DeltaTable } from '@stillwater/kernel/lakehouse';

const [tablePath, planFile, workerArg] = process.argv.slice(2);
const worker = Number(workerArg);
const ops = JSON.parse(readFileSync(planFile, 'utf8'))[worker];
const table = new DeltaTable(tablePath);

const rows = (list) =>
  new arrow.Table({
    p: arrow.vectorFromArray(
      list.map((r) => r.p),
      new arrow.Utf8(),
    ),
    k: arrow.vectorFromArray(
      list.map((r) => r.k),
      new arrow.Int32(),
    ),
    v: arrow.vectorFromArray(
      list.map((r) => r.v),
      new arrow.Int32(),
    ),
  });

await table.version();
process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (const [seq, op] of ops.entries()) {
  const txn = { appId: `w${worker}`, version: seq };
  try {
    let r;
    if (op.kind === 'append') r = await table.append(rows(op.rows), { txn });
    else if (op.kind === 'delete')
      r = await table.delete(`p = '${op.p}' and k >= ${op.from} and k < ${op.to}`, { txn });
    else {
      r = await table.merge(rows(op.rows), {
        on: 't.p = s.p and t.k = s.k',
        whenMatchedUpdate: { set: { v: 't.v + s.v' } },
        whenNotMatchedInsert: { values: '*' },
        txn,
      });
    }
    process.stdout.write(`${JSON.stringify({ seq, version: r.version ?? null })}\n`);
  } catch (e) {
    if (!(e instanceof ConcurrentModificationError)) throw e;
    process.stdout.write(`${JSON.stringify({ seq, conflict: e.message })}\n`);
  }
}
process.exit(0);
