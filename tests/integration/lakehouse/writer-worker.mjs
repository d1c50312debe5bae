// A writer process for the concurrency and crash tests; imports the built package.
// usage: node writer-worker.mjs append <table> <worker> <count>
//        node writer-worker.mjs append-forever <table> <worker>
//        node writer-worker.mjs overwrite <table> <worker>   (commits when a line arrives on stdin)
import { once } from 'node:events';
import * as arrow from 'apache-arrow';
import {
  alignToSchema,
  ConcurrentModificationError,
  DeltaTable,
  Transaction,
  writeDataFiles,
} from '@stillwater/kernel/lakehouse';

const [mode, tablePath, workerArg, extra] = process.argv.slice(2);
const worker = Number(workerArg);
const table = new DeltaTable(tablePath);

/** 4 rows tagged with the writer and its sequence number. */
function batch(seq) {
  return new arrow.Table({
    worker: arrow.vectorFromArray([worker, worker, worker, worker], new arrow.Int32()),
    seq: arrow.vectorFromArray([seq, seq, seq, seq], new arrow.Int32()),
    r: arrow.vectorFromArray([0, 1, 2, 3], new arrow.Int32()),
  });
}

if (mode === 'append') {
  for (let seq = 0; seq < Number(extra); seq++) {
    const r = await table.append(batch(seq));
    process.stdout.write(`${JSON.stringify({ seq, version: r.version, attempts: r.attempts })}\n`);
  }
} else if (mode === 'append-forever') {
  // "ready" once modules are loaded and the table is open, so the parent's random kill
  // delay measures time spent writing, not process start-up on a loaded machine.
  await table.version();
  process.stdout.write('ready\n');
  // Each line is printed only after the commit returned: the parent knows these are durable.
  for (let seq = 0; ; seq++) {
    const r = await table.append(batch(seq));
    process.stdout.write(`${JSON.stringify({ seq, version: r.version })}\n`);
  }
} else if (mode === 'overwrite') {
  // Read the snapshot and stage the whole overwrite, say "staged", then wait for the
  // parent's go (a line on stdin), sent once both writers have staged: both have
  // certainly read the same version before either commits.
  const snap = await table.snapshot();
  const aligned = alignToSchema(batch(1000 + worker), snap.schema, { tablePath });
  const written = await writeDataFiles(table.storage, aligned.table, {
    schema: snap.schema,
    partitionColumns: snap.partitionColumns,
  });
  const txn = new Transaction(table.storage, snap, { operation: 'WRITE', operationParameters: { mode: 'Overwrite' } });
  txn.readWholeTable().removeFiles(snap.files).addFiles(written.adds);
  process.stdout.write('staged\n');
  await once(process.stdin, 'data');
  process.stdin.pause();
  try {
    const r = await txn.commit();
    process.stdout.write(`${JSON.stringify({ ok: true, readVersion: snap.version, version: r.version })}\n`);
  } catch (e) {
    if (!(e instanceof ConcurrentModificationError)) throw e;
    process.stdout.write(
      `${JSON.stringify({ ok: false, readVersion: snap.version, error: e.name, message: e.message })}\n`,
    );
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
