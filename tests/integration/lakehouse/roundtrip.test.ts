/**
 * Acceptance 2: tables we write are read back by our reader and, independently,
 * by pyarrow reading every data file the log lists; row counts equal the
 * `numRecords` stats; every log line has the protocol's required fields;
 * checkpoints are readable by pyarrow and by our reader.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { allTypesTable, normalisedRows, oracle, removeTmpDirs, sortedJson, stringToIntMap, tmpDir } from './helpers.js';

afterAll(removeTmpDirs);

describe('round trip: every primitive type, partitioned by string/int/date with special characters', () => {
  it('reads back identically through our reader and through pyarrow', async () => {
    const dir = tmpDir('roundtrip');
    const table = new DeltaTable(dir);
    const inputs = [allTypesTable(60, 1), allTypesTable(45, 2), allTypesTable(30, 3)];
    await table.create({
      schema: inputs[0]!.schema,
      partitionBy: ['pstr', 'pint', 'pdate'],
      properties: { 'delta.checkpointInterval': '2' },
    });
    const results = [];
    for (const data of inputs) results.push(await table.append(data));
    expect(results.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(results[1]!.checkpointVersion).toBe(2);

    const ours = await table.read();
    const o = await oracle(dir);
    expect(o.problems).toEqual([]);
    expect(o.version).toBe(3);
    expect(o.rows).toHaveLength(135);
    for (const f of o.files) expect(f.numRows).toBe(f.numRecords);
    expect(normalisedRows(ours, o.columns)).toEqual(sortedJson(o.rows));
    // …and both equal what was written.
    const written = inputs.flatMap((t) => normalisedRows(t.select(o.columns), o.columns)).sort();
    expect(normalisedRows(ours, o.columns)).toEqual(written);

    // Hive-style directories escaped like Spark; add.path is their URI form.
    const dirs = readdirSync(dir).filter((d) => d.startsWith('pstr='));
    expect(dirs.sort()).toEqual(
      [
        'pstr=100%25',
        'pstr=__HIVE_DEFAULT_PARTITION__',
        'pstr=a b',
        'pstr=k%3Dv',
        'pstr=plain',
        'pstr=quo%27te%23%3F',
        'pstr=x%2Fy',
        'pstr=ünï©ødé 日本',
      ].sort(),
    );
    expect(readdirSync(path.join(dir, 'pstr=a b'))).toEqual(expect.arrayContaining(['pint=-1', 'pint=0', 'pint=1']));
    expect(readdirSync(path.join(dir, 'pstr=a b', 'pint=0')).sort()).toEqual(['pdate=2023-12-09']);

    // The checkpoint at version 2 is readable by pyarrow, complete, and used by our reader.
    expect(o.checkpoints).toEqual([
      { version: 2, adds: expect.any(Number), matchesReplay: true, hasMetaData: true, hasProtocol: true },
    ]);
    expect(o.lastCheckpoint).toMatchObject({ version: 2, numOfAddFiles: o.checkpoints[0]!.adds });
    const snap = await table.snapshot();
    expect(snap.segment.checkpoint?.version).toBe(2);
    expect(snap.segment.commits.map((c) => c.version)).toEqual([3]);

    // Time travel sees only what was committed by then.
    const v1 = await table.read({ version: 1 });
    expect(normalisedRows(v1, o.columns)).toEqual(normalisedRows(inputs[0]!.select(o.columns), o.columns));
  });

  it('overwrite replaces every file; the removes carry the protocol fields', async () => {
    const dir = tmpDir('overwrite');
    const table = new DeltaTable(dir);
    await table.write(allTypesTable(20, 4), { mode: 'error', partitionBy: ['pint'] });
    const before = await table.describe();
    const r = await table.overwrite(allTypesTable(10, 5));
    expect(r.version).toBe(1);
    const after = await table.describe();
    expect(after.numRows).toBe(10);
    expect(before.numFiles).toBe(3);
    const o = await oracle(dir);
    expect(o.problems).toEqual([]);
    expect(o.rows).toHaveLength(10);
    const h = await table.history();
    expect(h[0]).toMatchObject({
      version: 1,
      operation: 'WRITE',
      operationParameters: { mode: 'Overwrite', partitionBy: '["pint"]' },
      readVersion: 0,
      isBlindAppend: false,
      operationMetrics: { numFiles: '3', numOutputRows: '10', numRemovedFiles: '3' },
      engineInfo: expect.stringMatching(/^stillwater\/\d/),
    });
  });
});

describe('round trip: nested columns and empty writes', () => {
  it('writes struct, list and map columns that pyarrow reads and our reader returns unchanged', async () => {
    const dir = tmpDir('nested');
    const table = new DeltaTable(dir);
    const point = new arrow.Struct([
      new arrow.Field('x', new arrow.Float64(), true),
      new arrow.Field('label', new arrow.Utf8(), true),
    ]);
    const tags = new arrow.List(new arrow.Field('element', new arrow.Utf8(), true));
    const attrs = stringToIntMap();
    const data = new arrow.Table({
      id: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
      point: arrow.vectorFromArray([{ x: 1.5, label: 'a' }, null, { x: -2, label: null }], point),
      tags: arrow.vectorFromArray([['u', 'v'], [], null], tags),
      attrs: arrow.vectorFromArray([new Map([['k', 1]]), null, new Map([['z', null]])], attrs),
    });
    await table.write(data, { mode: 'error' });
    const back = await table.read();
    const cols = ['id', 'point', 'tags', 'attrs'];
    expect(normalisedRows(back, cols)).toEqual(normalisedRows(data, cols));
    const o = await oracle(dir);
    expect(o.problems).toEqual([]);
    expect(o.files.map((f) => [f.numRows, f.numRecords])).toEqual([[3, 3]]);
    const stats = JSON.parse((await table.snapshot()).files[0]!.stats!);
    expect(stats).toEqual({
      numRecords: 3,
      minValues: { id: 1, point: { x: -2, label: 'a' } },
      maxValues: { id: 3, point: { x: 1.5, label: 'a' } },
      nullCount: { id: 0, point: { x: 1, label: 2 }, tags: 1, attrs: 1 },
    });
  });

  it('an empty append commits a version without data files', async () => {
    const dir = tmpDir('empty');
    const table = new DeltaTable(dir);
    await table.write(allTypesTable(5, 9), { mode: 'error' });
    const r = await table.append(allTypesTable(5, 9).slice(0, 0));
    expect(r).toMatchObject({ version: 1, numFiles: 0, numRows: 0 });
    expect((await table.describe()).numRows).toBe(5);
  });
});
