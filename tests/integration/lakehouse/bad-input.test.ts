/**
 * Acceptance 5 (write side): bad writes fail with specific typed errors and
 * leave the table unchanged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DeltaTable,
  InvalidArgumentError,
  Lakehouse,
  SchemaMismatchError,
  TableAlreadyExistsError,
  UnsupportedFeatureError,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { removeTmpDirs, tmpDir } from './helpers.js';

function people(n = 3): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(i)),
      new arrow.Int64(),
    ),
    name: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `p${i}`),
      new arrow.Utf8(),
    ),
    score: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i / 2),
      new arrow.Float64(),
    ),
  });
}

async function newTable(opts: { partitionBy?: string[] } = {}): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('bad'));
  await t.write(people(), { mode: 'error', ...opts });
  return t;
}

async function expectUnchanged(t: DeltaTable, version: number, run: () => Promise<unknown>): Promise<Error> {
  const err = await run().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err, 'expected the write to fail').toBeInstanceOf(Error);
  expect(await t.version()).toBe(version);
  return err!;
}

afterAll(removeTmpDirs);

describe('schema enforcement', () => {
  it('rejects a column whose type differs, naming the column and both types', async () => {
    const t = await newTable();
    const bad = new arrow.Table({
      id: arrow.vectorFromArray(['x'], new arrow.Utf8()),
      name: arrow.vectorFromArray(['a'], new arrow.Utf8()),
      score: arrow.vectorFromArray([1], new arrow.Float64()),
    });
    const err = await expectUnchanged(t, 0, () => t.append(bad));
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect((err as SchemaMismatchError).column).toBe('id');
    expect(err.message).toContain('column id has type long in the table but string in the data');
    // mergeSchema only widens types the protocol allows (with delta.enableTypeWidening), never long → string
    const err2 = await expectUnchanged(t, 0, () => t.append(bad, { mergeSchema: true }));
    expect(err2.message).toMatch(
      /column id has type long in the table but string in the data \(not a type widening the Delta protocol allows\)/,
    );
  });

  it('rejects int32 data for a long column (no implicit casts, as in Delta)', async () => {
    const t = await newTable();
    const bad = new arrow.Table({ id: arrow.vectorFromArray([1], new arrow.Int32()) });
    const err = await expectUnchanged(t, 0, () => t.append(bad));
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(err.message).toContain('column id has type long in the table but integer in the data');
  });

  it('rejects an unknown column unless mergeSchema, which adds it as nullable', async () => {
    const t = await newTable();
    const extra = people(2);
    const wider = new arrow.Table({
      ...Object.fromEntries(extra.schema.fields.map((f) => [f.name, extra.getChild(f.name)!])),
      level: arrow.vectorFromArray([7, 8], new arrow.Int32()),
    });
    const err = await expectUnchanged(t, 0, () => t.append(wider));
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(err.message).toMatch(
      /column level \(integer\) is not in the table schema \[id: long, name: string, score: double\]; pass mergeSchema to add it/,
    );
    const r = await t.append(wider, { mergeSchema: true });
    expect(r.version).toBe(1);
    const d = await t.describe();
    expect(d.schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['id', 'long', true],
      ['name', 'string', true],
      ['score', 'double', true],
      ['level', 'integer', true],
    ]);
    const rows = (await t.read({ columns: ['id', 'level'] })).toArray().map((x) => x.toJSON());
    expect(rows.map((x) => x.level).sort()).toEqual([7, 8, null, null, null].sort());
    const h = await t.history(1);
    expect(h[0]!.isBlindAppend).toBe(false);
  });

  it('fills a missing nullable column with nulls but rejects a missing or null NOT NULL column', async () => {
    const t = new DeltaTable(tmpDir('nn'));
    await t.create({
      schema: new arrow.Schema([
        new arrow.Field('k', new arrow.Int32(), false),
        new arrow.Field('v', new arrow.Utf8(), true),
      ]),
    });
    await t.append(new arrow.Table({ k: arrow.vectorFromArray([1, 2], new arrow.Int32()) }));
    expect((await t.read()).toArray().map((r) => r.toJSON())).toEqual([
      { k: 1, v: null },
      { k: 2, v: null },
    ]);
    const missing = await expectUnchanged(t, 1, () =>
      t.append(new arrow.Table({ v: arrow.vectorFromArray(['a'], new arrow.Utf8()) })),
    );
    expect(missing).toBeInstanceOf(SchemaMismatchError);
    expect(missing.message).toContain('column k is NOT NULL in the table but missing from the data');
    const nulls = await expectUnchanged(t, 1, () =>
      t.append(new arrow.Table({ k: arrow.vectorFromArray([1, null], new arrow.Int32()) })),
    );
    expect(nulls).toBeInstanceOf(SchemaMismatchError);
    expect(nulls.message).toContain('column k is NOT NULL in the table but the data has 1 null value(s)');
  });

  it('rejects duplicate columns and Arrow types Delta cannot hold', async () => {
    const t = await newTable();
    const u64 = new arrow.Table({ id: arrow.vectorFromArray([1n], new arrow.Uint64()) });
    const err = await expectUnchanged(t, 0, () => t.append(u64));
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(err.message).toContain('Arrow uint64 has no lossless Delta type');
    const twice = new arrow.Table({
      id: arrow.vectorFromArray([1n], new arrow.Int64()),
      ID: arrow.vectorFromArray([1n], new arrow.Int64()),
    });
    const err2 = await expectUnchanged(t, 0, () => t.append(twice));
    expect(err2.message).toContain('the data has the column ID twice (as id and ID)');
  });
});

describe('protocol safety', () => {
  /** Appends a hand-written commit (as another engine would) to make the table need a feature. */
  function upgrade(
    t: DeltaTable,
    version: number,
    protocol: object,
    configuration: Record<string, string> = {},
    schemaString?: string,
  ) {
    const base = JSON.parse(
      readFileSync(path.join(t.path, '_delta_log', '00000000000000000000.json'), 'utf8')
        .split('\n')
        .find((l) => l.includes('"metaData"'))!,
    ).metaData;
    const lines = [
      { commitInfo: { operation: 'UPGRADE PROTOCOL', timestamp: Date.now() } },
      { protocol },
      { metaData: { ...base, configuration, ...(schemaString ? { schemaString } : {}) } },
    ];
    writeFileSync(
      path.join(t.path, '_delta_log', `${String(version).padStart(20, '0')}.json`),
      `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
    );
  }

  it('refuses to write a table that needs an unsupported writer feature, naming it', async () => {
    const t = await newTable();
    upgrade(t, 1, { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'rowTracking'] });
    const err = await expectUnchanged(t, 1, () => t.append(people()));
    expect(err).toBeInstanceOf(UnsupportedFeatureError);
    expect((err as UnsupportedFeatureError).feature).toBe('rowTracking');
    expect((err as UnsupportedFeatureError).access).toBe('write');
    expect(err.message).toContain("writer feature 'rowTracking'");
  });

  it('refuses writes to tables with CHECK constraints, change data feed or invariants in use', async () => {
    const cdf = await newTable();
    upgrade(cdf, 1, { minReaderVersion: 1, minWriterVersion: 4 }, { 'delta.enableChangeDataFeed': 'true' });
    const e1 = await expectUnchanged(cdf, 1, () => cdf.append(people()));
    expect(e1).toBeInstanceOf(UnsupportedFeatureError);
    expect((e1 as UnsupportedFeatureError).feature).toBe('changeDataFeed');

    const check = await newTable();
    upgrade(check, 1, { minReaderVersion: 1, minWriterVersion: 3 }, { 'delta.constraints.positive': 'score > 0' });
    const e2 = await expectUnchanged(check, 1, () => check.overwrite(people()));
    expect((e2 as UnsupportedFeatureError).feature).toBe('checkConstraints');

    const inv = await newTable();
    const schema = JSON.stringify({
      type: 'struct',
      fields: [
        {
          name: 'id',
          type: 'long',
          nullable: false,
          metadata: { 'delta.invariants': '{"expression":{"expression":"id > 0"}}' },
        },
        { name: 'name', type: 'string', nullable: false, metadata: {} },
        { name: 'score', type: 'double', nullable: false, metadata: {} },
      ],
    });
    upgrade(inv, 1, { minReaderVersion: 1, minWriterVersion: 2 }, {}, schema);
    const e3 = await expectUnchanged(inv, 1, () => inv.append(people()));
    expect((e3 as UnsupportedFeatureError).feature).toBe('invariants');
    expect(e3.message).toContain('column id has an invariant');
  });

  it('refuses to create tables with properties that need unsupported features', async () => {
    const t = new DeltaTable(tmpDir('props'));
    for (const [k, feature] of [
      ['delta.enableChangeDataFeed', 'changeDataFeed'],
      ['delta.enableRowTracking', 'rowTracking'],
    ] as const) {
      const err = await t.write(people(), { mode: 'error', properties: { [k]: 'true' } }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      expect((err as UnsupportedFeatureError).feature).toBe(feature);
    }
    const err = await t
      .create({ schema: people().schema, properties: { 'delta.columnMapping.mode': 'both' } })
      .catch((e: Error) => e);
    expect((err as UnsupportedFeatureError).feature).toBe('columnMapping');
    expect((err as Error).message).toMatch(/delta\.columnMapping\.mode=both is not a column mapping mode/);
    expect(await t.exists()).toBe(false);
  });
});

describe('bad partitioning and modes', () => {
  it('rejects unknown, complex, binary, duplicate and all-column partition columns', async () => {
    const t = new DeltaTable(tmpDir('parts'));
    const cases: [string[], RegExp][] = [
      [['nope'], /partition column "nope" of table .* is not in the schema \[id, name, score\]/],
      [['name', 'name'], /partition column name of table .* is listed twice/],
      [['id', 'name', 'score'], /cannot partition by every column \(id, name, score\)/],
    ];
    for (const [partitionBy, message] of cases) {
      const err = await t.write(people(), { mode: 'error', partitionBy }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(message);
    }
    const withBin = new arrow.Table({
      b: arrow.vectorFromArray([new Uint8Array([1])], new arrow.Binary()),
      x: arrow.vectorFromArray([1], new arrow.Int32()),
    });
    const err = await t.write(withBin, { mode: 'error', partitionBy: ['b'] }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /partition column b of table .* has type binary; partition columns must be of a primitive, non-binary type/,
    );
    expect(await t.exists()).toBe(false);
  });

  it('rejects a partitionBy that differs from the table, an existing table in mode error, and a bad mode', async () => {
    const t = await newTable({ partitionBy: ['name'] });
    const e1 = await expectUnchanged(t, 0, () => t.append(people(), { partitionBy: ['id'] }));
    expect(e1).toBeInstanceOf(InvalidArgumentError);
    expect(e1.message).toContain("partitionBy [id] does not match the table's partition columns [name]");
    const e2 = await expectUnchanged(t, 0, () => t.write(people()));
    expect(e2).toBeInstanceOf(TableAlreadyExistsError);
    const e3 = await expectUnchanged(t, 0, () => t.write(people(), { mode: 'upsert' as never }));
    expect(e3.message).toBe('invalid write mode "upsert": use append, overwrite, error or ignore');
    const e4 = await expectUnchanged(t, 0, () => t.create({ schema: people().schema }));
    expect(e4).toBeInstanceOf(TableAlreadyExistsError);
    expect(await t.write(people(), { mode: 'ignore' })).toMatchObject({ version: undefined, skipped: 'table exists' });
  });

  it('idempotent writes: the same appId/txnVersion commits once', async () => {
    const t = await newTable();
    const first = await t.append(people(), { appId: 'ingest', txnVersion: 5 });
    expect(first.version).toBe(1);
    const again = await t.append(people(), { appId: 'ingest', txnVersion: 5 });
    expect(again).toMatchObject({ version: undefined, skipped: 'transaction already applied' });
    expect((await t.snapshot()).txns.get('ingest')?.version).toBe(5);
    const err = await expectUnchanged(t, 1, () => t.append(people(), { appId: 'ingest' }));
    expect(err.message).toBe('appId ingest needs a txnVersion (an integer ≥ 0) for idempotent writes');
  });

  it('append-only tables refuse overwrite', async () => {
    const t = new DeltaTable(tmpDir('ao'));
    await t.write(people(), { mode: 'error', properties: { 'delta.appendOnly': 'true' } });
    const err = await expectUnchanged(t, 0, () => t.overwrite(people()));
    expect(err.message).toMatch(/cannot overwrite table .*: it is append-only \(delta.appendOnly=true\)/);
  });
});

describe('Lakehouse names', () => {
  it('maps medallion names to directories and rejects anything else', async () => {
    const root = tmpDir('lh');
    const lh = new Lakehouse(root);
    expect(lh.table('bronze/train').path).toBe(path.join(root, 'bronze', 'train'));
    for (const bad of ['train', 'platinum/x', 'bronze/Train', 'bronze/1x', 'bronze/a/b', '../bronze/x', 'bronze/']) {
      expect(() => lh.table(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => lh.table('gold/Bad')).toThrow(
      /invalid table name "gold\/Bad": use <namespace>\/<table> with namespace bronze, silver or gold/,
    );
    await lh.table('silver/clean').write(people(), { mode: 'error' });
    await lh.table('bronze/raw_1').write(people(), { mode: 'error' });
    expect(await lh.list()).toEqual(['bronze/raw_1', 'silver/clean']);
  });
});

describe('overwriteSchema', () => {
  it('replaces the schema on overwrite, keeps partitioning, and is refused elsewhere', async () => {
    const t = await newTable({ partitionBy: ['name'] });
    const other = new arrow.Table({
      name: arrow.vectorFromArray(['q'], new arrow.Utf8()),
      total: arrow.vectorFromArray([1.25], new arrow.Float64()),
    });
    const e1 = await expectUnchanged(t, 0, () => t.overwrite(other));
    expect(e1).toBeInstanceOf(SchemaMismatchError);
    const e2 = await expectUnchanged(t, 0, () => t.append(other, { overwriteSchema: true }));
    expect(e2.message).toMatch(/overwriteSchema needs mode overwrite, not append/);
    const noPart = new arrow.Table({ total: arrow.vectorFromArray([1], new arrow.Float64()) });
    const e3 = await expectUnchanged(t, 0, () => t.overwrite(noPart, { overwriteSchema: true }));
    expect(e3.message).toMatch(/partition column "name" of table .* is not in the schema \[total\]/);
    expect((await t.overwrite(other, { overwriteSchema: true })).version).toBe(1);
    const d = await t.describe();
    expect(d.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['name:string', 'total:double']);
    expect(d.partitionColumns).toEqual(['name']);
    expect((await t.read()).toArray().map((r) => r.toJSON())).toEqual([{ name: 'q', total: 1.25 }]);
    // time travel still reads the old schema
    expect((await t.read({ version: 0 })).schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'score']);
  });
});

describe('zone-less timestamps', () => {
  it('are stored as Delta timestamp (values taken as UTC), never timestamp_ntz', async () => {
    const t = new DeltaTable(tmpDir('ntz'));
    const naive = arrow.vectorFromArray([1_700_000_000_000], new arrow.TimestampMillisecond());
    await t.write(new arrow.Table({ at: naive }), { mode: 'error' });
    const d = await t.describe();
    expect(d.schema.fields[0]).toMatchObject({ name: 'at', type: 'timestamp' });
    expect(d.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    const back = await t.read();
    expect(back.schema.fields[0]!.type.toString()).toBe('Timestamp<MICROSECOND, UTC>');
    expect((back.getChild('at')!.data[0]!.values as BigInt64Array)[0]).toBe(1_700_000_000_000_000n);
    // appending naive timestamps to the table matches its timestamp column
    expect((await t.append(new arrow.Table({ at: naive }))).version).toBe(1);
  });

  it('a Delta schema asking for timestamp_ntz is refused with the feature named', async () => {
    const t = new DeltaTable(tmpDir('ntz'));
    const err = await t
      .create({
        schema: {
          type: 'struct',
          fields: [{ name: 'at', type: 'timestamp_ntz', nullable: true, metadata: {} }],
        },
      })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnsupportedFeatureError);
    expect((err as UnsupportedFeatureError).feature).toBe('timestampNtz');
    expect(await t.exists()).toBe(false);
  });
});
