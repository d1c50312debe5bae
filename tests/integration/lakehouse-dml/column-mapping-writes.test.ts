/**
 * Issue 15: tables we write with column mapping (`delta.columnMapping.mode`
 * name and id) — created, appended to with a new column, changed by DELETE /
 * UPDATE (a partition move too) / MERGE, with and without deletion vectors,
 * OPTIMIZEd and RESTOREd — are read at every version by the pyarrow oracle
 * (its own log replay, physical names or field ids, its own DV decoder) exactly
 * as our reader reads them. Data files carry physical names and Parquet field
 * ids; partition values and stats are keyed by physical names.
 */
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { venvPython } from '../../helpers/paths.js';
import { removeTmpDirs, run, tmpDir } from '../lakehouse/helpers.js';
import { oracleRows, ourRows } from '../golden/rows-two-ways.js';
import { idRows, range } from './id-rows.js';
import { lastCommit } from './log.js';

afterAll(removeTmpDirs);

function rows(ids: number[]): arrow.Table {
  const loc = arrow.vectorFromArray(
    ids.map((i) => ({ x: i / 2, tag: `t${i % 3}` })),
    new arrow.Struct([new arrow.Field('x', new arrow.Float64()), new arrow.Field('tag', new arrow.Utf8())]),
  );
  const base = idRows(ids);
  return new arrow.Table({
    ...Object.fromEntries(base.schema.fields.map((f) => [f.name, base.getChild(f.name)!])),
    loc,
  });
}

/** Column names and field ids of a data file, as pyarrow reads its Parquet schema. */
async function parquetColumns(file: string): Promise<{ name: string; id: string | null; children: string[] }[]> {
  const code = `
import json, sys, pyarrow.parquet as pq
s = pq.read_schema(sys.argv[1])
out = []
for f in s:
    md = f.metadata or {}
    kids = [c.name for c in f.type] if hasattr(f.type, 'num_fields') and f.type.num_fields else []
    out.append({"name": f.name, "id": md.get(b"PARQUET:field_id", b"").decode() or None, "children": kids})
print(json.dumps(out))`;
  const { stdout } = await run(venvPython, ['-c', code, file]);
  return JSON.parse(stdout);
}

async function expectOracleAgrees(t: DeltaTable): Promise<void> {
  const v = await t.version();
  for (let version = 0; version <= v; version++) {
    expect(await ourRows(t.path, version), `version ${version}`).toEqual(await oracleRows(t.path, version));
  }
}

describe.each([
  ['name', false],
  ['id', true],
] as const)('column mapping mode %s (deletion vectors: %s)', (mode, dvs) => {
  it('writes physical names and ids; DML, OPTIMIZE and RESTORE read back alike in pyarrow', async () => {
    const t = new DeltaTable(tmpDir(`cm-${mode}`));
    await t.write(rows(range(0, 40)), {
      mode: 'error',
      partitionBy: ['p'],
      properties: {
        'delta.columnMapping.mode': mode,
        ...(dvs ? { 'delta.enableDeletionVectors': 'true' } : {}),
      },
    });
    const snap = await t.snapshot();
    expect(snap.protocol).toEqual(
      dvs
        ? {
            minReaderVersion: 3,
            minWriterVersion: 7,
            readerFeatures: ['deletionVectors', 'columnMapping'],
            writerFeatures: ['deletionVectors', 'columnMapping'],
          }
        : { minReaderVersion: 2, minWriterVersion: 5 },
    );
    const fields = snap.schema.fields;
    const phys = (name: string) => fields.find((f) => f.name === name)!.metadata!['delta.columnMapping.physicalName'];
    expect(fields.map((f) => f.metadata?.['delta.columnMapping.id'])).toEqual([1, 2, 3, 4]);
    expect(snap.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('6'); // loc.x, loc.tag: 5, 6
    expect(snap.metadata.partitionColumns).toEqual(['p']);
    const add = snap.files[0]!;
    expect(Object.keys(add.partitionValues)).toEqual([phys('p')]);
    expect(Object.keys(JSON.parse(add.stats!).minValues).sort()).toEqual([phys('id'), phys('loc'), phys('v')].sort());
    const cols = await parquetColumns(path.join(t.path, decodeURIComponent(add.path)));
    expect(cols.map((c) => c.name)).toEqual([phys('id'), phys('v'), phys('loc')]);
    expect(cols.map((c) => c.id)).toEqual(['1', '3', '4']);
    expect(cols[2]!.children.every((c) => c.startsWith('col-'))).toBe(true);

    const withW = (ids: number[]) => {
      const base = rows(ids);
      const cols = Object.fromEntries(base.schema.fields.map((f) => [f.name, base.getChild(f.name)!]));
      return new arrow.Table({
        ...cols,
        w: arrow.vectorFromArray(
          ids.map((i) => `w${i}`),
          new arrow.Utf8(),
        ),
      });
    };
    await t.append(withW([100, 101]), { mergeSchema: true });
    const evolved = await t.snapshot();
    expect(evolved.schema.fields.at(-1)!.metadata?.['delta.columnMapping.id']).toBe(7);
    await t.delete("p = 'odd' and v > 300"); // partition and data predicate
    await t.delete("p = 'even' and id = 4");
    await t.update({ where: 'id < 6', set: { v: 'v + 1', p: "'odd'" } }); // moves rows between partitions
    await t.merge(withW([2, 8, 200]), {
      on: 't.id = s.id',
      // `loc` is a struct: assigned whole, its fields written under their physical names too.
      whenMatchedUpdate: { set: { v: 's.v * 2', w: 's.w', loc: 's.loc' } },
      whenNotMatchedInsert: { values: { id: 's.id', p: 's.p', v: 's.v', w: 's.w', loc: 's.loc' } },
    });
    const inserted = (await t.read({ where: 'id = 200' })).toArray()[0]!;
    expect(inserted.loc.toJSON()).toEqual({ x: 100, tag: 't2' });
    await t.delete("p = 'even'"); // partition columns only: whole files, from their partition values
    expect((await lastCommit(t.path)).commitInfo.operationMetrics).toMatchObject({ numDeletedRows: expect.anything() });
    expect((await ourRows(t.path)).every((r) => !r.includes('"even"'))).toBe(true);
    await t.optimize();
    await t.restore({ version: 2 });
    await expectOracleAgrees(t);
    expect((await t.read({ where: "p = 'odd'" })).numRows).toBeGreaterThan(0);
  }, 120_000);
});

it('turning column mapping on for a table with data keeps its files readable (physical name = name)', async () => {
  const t = new DeltaTable(tmpDir('cm-upgrade'));
  await t.write(rows(range(0, 10)), { mode: 'error', partitionBy: ['p'] });
  await t.append(rows([10, 11]), { properties: { 'delta.columnMapping.mode': 'name' } });
  const snap = await t.snapshot();
  expect(snap.protocol).toMatchObject({ minReaderVersion: 2, minWriterVersion: 5 });
  expect(snap.schema.fields.map((f) => f.metadata?.['delta.columnMapping.physicalName'])).toEqual([
    'id',
    'p',
    'v',
    'loc',
  ]);
  await t.delete('id = 3');
  expect((await ourRows(t.path)).length).toBe(11);
  await expectOracleAgrees(t);
  await expect(t.append(rows([12]), { properties: { 'delta.columnMapping.mode': 'id' } })).rejects.toThrow(
    /columnMapping.mode cannot change from name/,
  );
}, 60_000);
