/** Protocol safety checks, Spark's timestamp semantics for time travel, and history from commitInfo. */
import { rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertReadSupported,
  assertWriteSupported,
  LocalStorage,
  loadSnapshot,
  type Metadata,
  monotonize,
  type Protocol,
  readHistory,
  resolveTimestamp,
  timestampOfVersion,
  UnsupportedFeatureError,
  UnsupportedProtocolVersionError,
  VersionNotFoundError,
  versionAtTimestamp,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { add, commitName, metaData, protocolV1, tmpTable, writeCommit } from './helpers.js';

const meta = (configuration: Record<string, string> = {}, fieldMetadata: Record<string, unknown> = {}): Metadata => ({
  id: 'x',
  format: { provider: 'parquet' },
  schemaString: JSON.stringify({
    type: 'struct',
    fields: [
      { name: 'id', type: 'long', nullable: true, metadata: {} },
      {
        name: 's',
        type: { type: 'struct', fields: [{ name: 'inner', type: 'long', nullable: true, metadata: fieldMetadata }] },
        nullable: true,
        metadata: {},
      },
    ],
  }),
  partitionColumns: [],
  configuration,
});

const catchErr = (f: () => void): UnsupportedFeatureError => {
  try {
    f();
  } catch (e) {
    return e as UnsupportedFeatureError;
  }
  throw new Error('expected an error');
};

describe('features', () => {
  const v1: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };

  it('reads reader v1 and reader 3 with only supported features', () => {
    expect(() => assertReadSupported(v1, 't')).not.toThrow();
    expect(() =>
      assertReadSupported({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [] }, 't'),
    ).not.toThrow();
    expect(() =>
      assertReadSupported({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['vacuumProtocolCheck'] }, 't'),
    ).not.toThrow();
  });

  it('reads tables with the reader features it implements', () => {
    const all = [
      'vacuumProtocolCheck',
      'checkpointProtection',
      'deletionVectors',
      'columnMapping',
      'timestampNtz',
      'v2Checkpoint',
      'typeWidening',
      'typeWidening-preview',
    ];
    const v3 = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: all };
    expect(() => assertReadSupported(v3, 't', meta({ 'delta.columnMapping.mode': 'name' }))).not.toThrow();
    expect(() =>
      assertReadSupported(
        { minReaderVersion: 2, minWriterVersion: 5 },
        't',
        meta({ 'delta.columnMapping.mode': 'id' }),
      ),
    ).not.toThrow();
  });

  it('refuses reads needing unsupported features, naming each', () => {
    for (const f of ['variantType', 'variantType-preview', 'catalogManaged', 'somethingNew']) {
      const e = catchErr(() =>
        assertReadSupported({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', f] }, '/t'),
      );
      expect(e).toBeInstanceOf(UnsupportedFeatureError);
      expect(e.feature).toBe(f);
      expect(e.access).toBe('read');
      expect(e.message).toContain(`cannot read table /t: it uses the Delta reader feature '${f}'`);
    }
    const v3cm = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['columnMapping'] };
    expect(
      catchErr(() => assertReadSupported(v3cm, 't', meta({ 'delta.columnMapping.mode': 'both' }))).message,
    ).toMatch(/unknown delta\.columnMapping\.mode=both/);
    // A mapping mode on a protocol without column mapping: the files' names cannot be trusted.
    expect(catchErr(() => assertReadSupported(v1, 't', meta({ 'delta.columnMapping.mode': 'name' }))).message).toMatch(
      /columnMapping.*delta\.columnMapping\.mode=name on reader version 1/,
    );
    const tw = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['typeWidening'] };
    const widened = (fromType: string, toType: string) =>
      ({
        ...meta(),
        schemaString: JSON.stringify({
          type: 'struct',
          fields: [
            { name: 'x', type: toType, nullable: true, metadata: { 'delta.typeChanges': [{ fromType, toType }] } },
          ],
        }),
      }) as Metadata;
    for (const [from, to] of [
      ['byte', 'long'],
      ['float', 'double'],
      ['integer', 'double'],
      ['date', 'timestamp_ntz'],
      ['decimal(10,2)', 'decimal(20,5)'],
      ['long', 'decimal(21,1)'],
    ]) {
      expect(() => assertReadSupported(tw, 't', widened(from!, to!)), `${from} -> ${to}`).not.toThrow();
    }
    for (const [from, to] of [
      ['long', 'double'],
      ['long', 'integer'],
      ['decimal(10,2)', 'decimal(11,4)'],
      ['integer', 'decimal(10,1)'],
      ['string', 'long'],
    ]) {
      const e = catchErr(() => assertReadSupported(tw, '/t', widened(from!, to!)));
      expect(e.feature, `${from} -> ${to}`).toBe('typeWidening');
      expect(e.message).toContain(`column x changed type from ${from} to ${to}`);
    }
    const e = catchErr(() => assertReadSupported({ minReaderVersion: 99, minWriterVersion: 7 }, '/t'));
    expect(e).toBeInstanceOf(UnsupportedProtocolVersionError);
    expect(e.message).toBe(
      'table /t requires Delta reader version 99; this implementation supports reader versions 1–3',
    );
  });

  it('allows writer v2 tables and writer-7 tables whose features are not in use', () => {
    expect(() => assertWriteSupported(v1, meta(), 't')).not.toThrow();
    expect(() =>
      assertWriteSupported(
        { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'invariants'] },
        meta(),
        't',
      ),
    ).not.toThrow();
  });

  it('refuses writes that need features we do not enforce', () => {
    const cases: [Protocol, Metadata, string, RegExp][] = [
      [
        v1,
        meta({}, { 'delta.invariants': '{"expression":{"expression":"inner > 0"}}' }),
        'invariants',
        /column s\.inner has an invariant/,
      ],
      [
        { minReaderVersion: 1, minWriterVersion: 3 },
        meta({ 'delta.constraints.positive': 'id > 0' }),
        'checkConstraints',
        /CHECK constraint positive/,
      ],
      [
        { minReaderVersion: 1, minWriterVersion: 4 },
        meta({ 'delta.enableChangeDataFeed': 'true' }),
        'changeDataFeed',
        /delta\.enableChangeDataFeed=true/,
      ],
      [
        { minReaderVersion: 1, minWriterVersion: 4 },
        meta({}, { 'delta.generationExpression': 'id + 1' }),
        'generatedColumns',
        /generated column/,
      ],
      [
        { minReaderVersion: 1, minWriterVersion: 6 },
        meta({}, { 'delta.identity.start': 1 }),
        'identityColumns',
        /identity column/,
      ],
      [
        { minReaderVersion: 2, minWriterVersion: 5 },
        meta({ 'delta.columnMapping.mode': 'both' }),
        'columnMapping',
        /'columnMapping' \(unknown delta\.columnMapping\.mode=both\)/,
      ],
      [
        { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata'] },
        meta(),
        'domainMetadata',
        /writer feature 'domainMetadata'/,
      ],
      [
        {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors'],
          writerFeatures: ['deletionVectors', 'rowTracking'],
        },
        meta(),
        'rowTracking',
        /rowTracking/,
      ],
    ];
    // Column mapping name/id is written with physical names (column-mapping.ts, data-files.ts).
    for (const mode of ['name', 'id']) {
      expect(() =>
        assertWriteSupported(
          { minReaderVersion: 2, minWriterVersion: 5 },
          meta({ 'delta.columnMapping.mode': mode }),
          '/t',
        ),
      ).not.toThrow();
    }
    // Deletion vectors are written by DML now (dml/dv-writes.ts): the feature alone no longer blocks writes.
    expect(() =>
      assertWriteSupported(
        {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors'],
          writerFeatures: ['deletionVectors'],
        },
        meta(),
        '/t',
      ),
    ).not.toThrow();
    for (const [p, m, feature, msg] of cases) {
      const e = catchErr(() => assertWriteSupported(p, m, '/t'));
      expect(e, feature).toBeInstanceOf(UnsupportedFeatureError);
      expect(e.feature).toBe(feature);
      expect(e.message).toMatch(msg);
    }
    const e = catchErr(() => assertWriteSupported({ minReaderVersion: 1, minWriterVersion: 8 }, meta(), '/t'));
    expect(e).toBeInstanceOf(UnsupportedProtocolVersionError);
    expect(e.feature).toBe('minWriterVersion=8');
  });
});

describe('time travel semantics', () => {
  it('monotonises commit times like Spark', () => {
    expect(
      monotonize([
        { version: 0, modificationTime: 1000 },
        { version: 1, modificationTime: 900 },
        { version: 2, modificationTime: 1001 },
        { version: 3, modificationTime: 5000 },
      ]),
    ).toEqual([
      { version: 0, timestamp: 1000 },
      { version: 1, timestamp: 1001 },
      { version: 2, timestamp: 1002 },
      { version: 3, timestamp: 5000 },
    ]);
  });

  it('resolves to the latest commit at or before the timestamp and errors outside the range', () => {
    const c = [
      { version: 0, timestamp: 1000 },
      { version: 1, timestamp: 2000 },
      { version: 2, timestamp: 3000 },
    ];
    expect(resolveTimestamp(c, 1000, 't')).toBe(0);
    expect(resolveTimestamp(c, 1999, 't')).toBe(0);
    expect(resolveTimestamp(c, 2000, 't')).toBe(1);
    expect(resolveTimestamp(c, 3000, 't')).toBe(2);
    expect(() => resolveTimestamp(c, 999, 't')).toThrow(VersionNotFoundError);
    expect(() => resolveTimestamp(c, 999, 't')).toThrow(
      'timestamp 1970-01-01T00:00:00.999Z is before the earliest available version 0 of table t (committed at 1970-01-01T00:00:01.000Z); valid timestamps are 1970-01-01T00:00:01.000Z … 1970-01-01T00:00:03.000Z',
    );
    expect(() => resolveTimestamp(c, 3001, 't')).toThrow(/after the latest version 2 of table t/);
  });

  let dir = '';
  beforeAll(() => {
    dir = tmpTable('lh-tt-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses commit file mtimes (not commitInfo.timestamp) on a real log', async () => {
    writeCommit(dir, 0, [
      { commitInfo: { timestamp: 1, operation: 'CREATE TABLE' } },
      protocolV1,
      metaData([{ name: 'id', type: 'long' }]),
    ]);
    writeCommit(dir, 1, [
      {
        commitInfo: {
          timestamp: 2,
          operation: 'WRITE',
          operationParameters: { mode: 'Append' },
          readVersion: 0,
          isBlindAppend: true,
          operationMetrics: { numFiles: '1' },
          engineInfo: 'test',
        },
      },
      add('a.parquet'),
    ]);
    writeCommit(dir, 2, [
      { commitInfo: { timestamp: 3, operation: 'DELETE' } },
      { remove: { path: 'a.parquet', dataChange: true } },
    ]);
    // Version 2's mtime goes backwards: it must become version 1's + 1 ms.
    const mt = [Date.UTC(2021, 0, 1), Date.UTC(2021, 0, 2), Date.UTC(2021, 0, 1, 12)];
    mt.forEach((ms, v) => {
      utimesSync(path.join(dir, '_delta_log', commitName(v)), new Date(ms), new Date(ms));
    });
    const st = new LocalStorage(dir);
    expect(await versionAtTimestamp(st, '2021-01-01T12:00:00Z')).toBe(0);
    expect(await versionAtTimestamp(st, new Date(Date.UTC(2021, 0, 2)))).toBe(1);
    expect(await versionAtTimestamp(st, Date.UTC(2021, 0, 2) + 1)).toBe(2);
    expect(await timestampOfVersion(st, 2)).toBe(Date.UTC(2021, 0, 2) + 1);
    await expect(versionAtTimestamp(st, '2020-12-31')).rejects.toThrow(/before the earliest available version 0/);
    await expect(versionAtTimestamp(st, 'yesterday')).rejects.toThrow(/invalid timestamp "yesterday"/);
    const snap = await loadSnapshot(st, { timestamp: '2021-01-02T00:00:00Z' });
    expect(snap.version).toBe(1);
    expect(snap.files.map((f) => f.path)).toEqual(['a.parquet']);
    await expect(loadSnapshot(st, { version: 1, timestamp: 5 })).rejects.toThrow(/either a version or a timestamp/);

    const history = await readHistory(st);
    expect(history.map((h) => [h.version, h.operation])).toEqual([
      [2, 'DELETE'],
      [1, 'WRITE'],
      [0, 'CREATE TABLE'],
    ]);
    expect(history[1]).toMatchObject({
      timestamp: Date.UTC(2021, 0, 2),
      operationParameters: { mode: 'Append' },
      readVersion: 0,
      isBlindAppend: true,
      operationMetrics: { numFiles: '1' },
      engineInfo: 'test',
      commitInfoTimestamp: 2,
    });
    expect(history[0]!.timestamp).toBe(Date.UTC(2021, 0, 2) + 1);
    expect((await readHistory(st, { limit: 1 })).map((h) => h.version)).toEqual([2]);
  });
});
