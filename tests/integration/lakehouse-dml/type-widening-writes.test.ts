/**
 * Issue 15 item 5, type widening on write: with `delta.enableTypeWidening=true`
 * and `mergeSchema`, data in a wider type the protocol allows widens the column
 * (recorded in `delta.typeChanges`, protocol feature `typeWidening`); old files
 * read as the new type, in our reader and the pyarrow oracle alike, and DML on
 * the widened column never prunes by the old files' bounds. Anything else is a
 * SchemaMismatchError that says what would make it work, and commits nothing.
 */
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable, SchemaMismatchError } from '../../../kernel-lib/src/lakehouse/index.js';
import { removeTmpDirs, tmpDir } from '../lakehouse/helpers.js';
import { oracleRows, ourRows } from '../golden/rows-two-ways.js';

afterAll(removeTmpDirs);

const table = (v: arrow.Vector, x: arrow.Vector) => new arrow.Table({ v, x });

describe('type widening on write', () => {
  it('widens int → long and float → double with mergeSchema; old files read as the new types', async () => {
    const t = new DeltaTable(tmpDir('widen'));
    await t.write(
      table(
        arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
        arrow.vectorFromArray([0.5, 1.5, 2.5], new arrow.Float32()),
      ),
      { mode: 'error', properties: { 'delta.enableTypeWidening': 'true' } },
    );
    expect((await t.snapshot()).protocol).toEqual({
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['typeWidening'],
      writerFeatures: ['typeWidening'],
    });
    const wide = table(
      arrow.vectorFromArray([2n ** 40n], new arrow.Int64()),
      arrow.vectorFromArray([0.1], new arrow.Float64()),
    );
    const plain = await t.append(wide).catch((e: Error) => e);
    expect(plain).toBeInstanceOf(SchemaMismatchError);
    expect((plain as Error).message).toMatch(/a widening: pass mergeSchema/);
    expect(await t.version()).toBe(0);

    await t.append(wide, { mergeSchema: true });
    const snap = await t.snapshot();
    expect(snap.schema.fields.map((f) => [f.name, f.type, f.metadata?.['delta.typeChanges']])).toEqual([
      ['v', 'long', [{ fromType: 'integer', toType: 'long' }]],
      ['x', 'double', [{ fromType: 'float', toType: 'double' }]],
    ]);
    const back = await t.read();
    expect(back.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Float64']);
    expect([...back.getChild('v')!].map(String).sort()).toEqual(['1', '1099511627776', '2', '3']);
    expect(await ourRows(t.path)).toEqual(await oracleRows(t.path));
    // The old file's int bounds must not prune a predicate on the widened column.
    expect((await t.delete('v > 2')).metrics.numDeletedRows).toBe(2);
    expect([...(await t.read()).getChild('v')!].map(Number).sort()).toEqual([1, 2]);
  }, 60_000);

  it('refuses narrowing, other type changes, and widening on a table without the property, naming the fix', async () => {
    const t = new DeltaTable(tmpDir('widen-no'));
    await t.write(
      table(arrow.vectorFromArray([1, 2], new arrow.Int32()), arrow.vectorFromArray([1, 2], new arrow.Float64())),
      {
        mode: 'error',
      },
    );
    const long = table(arrow.vectorFromArray([1n], new arrow.Int64()), arrow.vectorFromArray([1], new arrow.Float64()));
    const off = await t.append(long, { mergeSchema: true }).catch((e: Error) => e);
    expect((off as Error).message).toMatch(/set delta\.enableTypeWidening=true on the table and pass mergeSchema/);
    const text = table(arrow.vectorFromArray(['a'], new arrow.Utf8()), arrow.vectorFromArray([1], new arrow.Float64()));
    await t.append(
      table(arrow.vectorFromArray([3], new arrow.Int32()), arrow.vectorFromArray([3], new arrow.Float64())),
      {
        properties: { 'delta.enableTypeWidening': 'true' },
      },
    );
    const notWidening = await t.append(text, { mergeSchema: true }).catch((e: Error) => e);
    expect(notWidening).toBeInstanceOf(SchemaMismatchError);
    expect((notWidening as Error).message).toMatch(/not a type widening the Delta protocol allows/);
    const narrow = table(
      arrow.vectorFromArray([1], new arrow.Int16()),
      arrow.vectorFromArray([1], new arrow.Float32()),
    );
    const err = await t.append(narrow, { mergeSchema: true }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(await t.version()).toBe(1);
    expect((await t.snapshot()).protocol.writerFeatures).toContain('typeWidening');
  }, 60_000);
});
