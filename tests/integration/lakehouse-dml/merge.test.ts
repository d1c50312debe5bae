/**
 * MERGE: upserts with conditions, NOT MATCHED BY SOURCE, file pruning by the
 * join keys' range, Spark's metrics, and the ambiguous-match failure that
 * commits nothing. pyarrow over the live files must agree with our reader.
 */
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable, MergeMultipleMatchesError } from '../../../kernel-lib/src/lakehouse/index.js';
import { normalisedRows, oracle, removeTmpDirs, sortedJson, tmpDir } from '../lakehouse/helpers.js';
import { lastCommit } from './log.js';

afterAll(removeTmpDirs);

function readings(rows: [number, number, number | null][]): arrow.Table {
  return new arrow.Table({
    unit: arrow.vectorFromArray(
      rows.map((r) => r[0]),
      new arrow.Int32(),
    ),
    cycle: arrow.vectorFromArray(
      rows.map((r) => BigInt(r[1])),
      new arrow.Int64(),
    ),
    s1: arrow.vectorFromArray(
      rows.map((r) => r[2]),
      new arrow.Float64(),
    ),
  });
}

/** Units 1..3 (one file each, partitioned by unit), cycles 1..4, s1 = unit·10 + cycle. */
async function sensorTable(): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('merge'));
  const rows: [number, number, number][] = [];
  for (let u = 1; u <= 3; u++) for (let c = 1; c <= 4; c++) rows.push([u, c, u * 10 + c]);
  await t.write(readings(rows), { partitionBy: ['unit'] });
  return t;
}

async function contents(t: DeltaTable): Promise<string[]> {
  return [...(await t.read()).toArray()].map((r) => `${r.unit}/${r.cycle}=${r.s1}`).sort();
}

describe('MERGE', () => {
  it('upserts: matched rows updated, new rows inserted, untouched partitions not rewritten', async () => {
    const t = await sensorTable();
    const before = (await t.snapshot()).files;
    const r = await t.merge(
      readings([
        [2, 3, 99],
        [2, 5, 25],
        [2, 6, null],
      ]),
      {
        on: 't.unit = s.unit and t.cycle = s.cycle',
        whenMatchedUpdate: { set: '*' },
        whenNotMatchedInsert: { values: '*' },
      },
    );
    expect(r.metrics).toMatchObject({
      numSourceRows: 3,
      numTargetRowsUpdated: 1,
      numTargetRowsMatchedUpdated: 1,
      numTargetRowsInserted: 2,
      numTargetRowsCopied: 3,
      numTargetFilesRemoved: 1,
      numOutputRows: 6,
    });
    const c = await lastCommit(t.path);
    expect(c.commitInfo.operation).toBe('MERGE');
    expect(JSON.parse(c.commitInfo.operationParameters.matchedPredicates)).toEqual([{ actionType: 'update' }]);
    expect(c.removes.map((x) => x.path)).toEqual([before.find((f) => f.partitionValues.unit === '2')!.path]);
    expect(await contents(t)).toContain('2/3=99');
    expect(await contents(t)).toContain('2/6=null');
    expect((await contents(t)).length).toBe(14);
    const o = await oracle(t.path);
    expect(o.problems).toEqual([]);
    expect(normalisedRows(await t.read(), o.columns)).toEqual(sortedJson(o.rows));
  });

  it('conditional clauses in order, delete, and NOT MATCHED BY SOURCE', async () => {
    const t = await sensorTable();
    const r = await t.merge(
      readings([
        [1, 1, -1],
        [1, 2, 50],
        [3, 9, 1],
      ]),
      {
        on: 't.unit = s.unit and t.cycle = s.cycle',
        whenMatched: [{ condition: 's.s1 < 0', delete: true }, { update: { s1: 't.s1 + s.s1' } }],
        whenNotMatched: [{ condition: 's.cycle > 100', insert: '*' }],
        whenNotMatchedBySource: [{ condition: 't.unit = 3 and t.cycle >= 3', update: { s1: '0' } }],
      },
    );
    expect(r.metrics).toMatchObject({
      numTargetRowsMatchedDeleted: 1,
      numTargetRowsMatchedUpdated: 1,
      numTargetRowsNotMatchedBySourceUpdated: 2,
      numTargetRowsInserted: 0,
    });
    const got = await contents(t);
    expect(got).not.toContain('1/1=11');
    expect(got).toContain('1/2=62');
    expect(got).toContain('3/3=0');
    expect(got).toContain('3/4=0');
    expect(got).toContain('3/2=32');
    expect(got.length).toBe(11);
  });

  it('fails like Spark when two source rows match one target row, committing nothing', async () => {
    const t = await sensorTable();
    const v = await t.version();
    await expect(
      t.merge(
        readings([
          [1, 1, 5],
          [1, 1, 6],
        ]),
        {
          on: 't.unit = s.unit and t.cycle = s.cycle',
          whenMatchedUpdate: { set: '*' },
        },
      ),
    ).rejects.toThrow(MergeMultipleMatchesError);
    await expect(
      t.merge(
        readings([
          [1, 1, 5],
          [1, 1, 6],
        ]),
        { on: 't.unit = s.unit and t.cycle = s.cycle', whenMatchedUpdate: { set: '*' } },
      ),
    ).rejects.toThrow(/multiple|2 source rows matched the same target row/);
    expect(await t.version()).toBe(v);
    // an unconditional delete is unambiguous, as in Spark
    const d = await t.merge(
      readings([
        [1, 1, 5],
        [1, 1, 6],
      ]),
      {
        on: 't.unit = s.unit and t.cycle = s.cycle',
        whenMatchedDelete: true,
      },
    );
    expect(d.metrics.numTargetRowsDeleted).toBe(1);
  });

  it('prunes target files outside the source key range and rejects bad clauses clearly', async () => {
    const t = await sensorTable();
    const r = await t.merge(readings([[3, 4, 7]]), {
      on: 't.unit = s.unit and t.cycle = s.cycle',
      whenMatchedDelete: true,
    });
    expect(r.metrics).toMatchObject({ numTargetFilesRemoved: 1, numTargetRowsDeleted: 1, numTargetRowsCopied: 3 });
    await expect(t.merge(readings([]), { on: 't.unit = s.nope', whenMatchedDelete: true })).rejects.toThrow(
      /MERGE ON: unknown column 's.nope'/,
    );
    await expect(
      t.merge(readings([]), { on: 't.unit = s.unit', whenMatched: [{ delete: true }, { update: { s1: '1' } }] }),
    ).rejects.toThrow(/no condition but is not the last/);
    await expect(t.merge(readings([]), { on: 'unit = unit', whenMatchedDelete: true })).rejects.toThrow(/ambiguous/);
  });

  it('takes another Delta table as the source', async () => {
    const t = await sensorTable();
    const src = new DeltaTable(tmpDir('merge-src'));
    await src.write(readings([[9, 1, 1]]));
    const r = await t.merge(src, {
      on: 't.unit = s.unit and t.cycle = s.cycle',
      whenNotMatchedInsert: { values: '*' },
    });
    expect(r.metrics.numTargetRowsInserted).toBe(1);
    expect(await contents(t)).toContain('9/1=1');
  });
});
