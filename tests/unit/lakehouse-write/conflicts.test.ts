import { describe, expect, it } from 'vitest';
import { type Action, type AddFile, findConflict, type ReadSet } from '../../../kernel-lib/src/lakehouse/index.js';

const add = (path: string, partitionValues: Record<string, string | null> = {}): AddFile => ({
  path,
  partitionValues,
  size: 1,
  modificationTime: 0,
  dataChange: true,
});

function readSet(over: Partial<ReadSet> = {}): ReadSet {
  return {
    readVersion: 4,
    readWholeTable: false,
    readFiles: new Set(),
    removedFiles: new Set(),
    appIds: new Set(),
    changesMetadata: false,
    ...over,
  };
}

const blindAppend = (...files: AddFile[]): Action[] => [
  { commitInfo: { operation: 'WRITE', isBlindAppend: true } },
  ...files.map((a) => ({ add: a })),
];
const rewrite = (removed: string[], ...files: AddFile[]): Action[] => [
  { commitInfo: { operation: 'WRITE', isBlindAppend: false } },
  ...removed.map((p) => ({ remove: { path: p, dataChange: true } })),
  ...files.map((a) => ({ add: a })),
];

describe('findConflict (WriteSerializable)', () => {
  it('blind appends never conflict with blind appends', () => {
    expect(findConflict(readSet(), { version: 5, actions: blindAppend(add('a')) })).toBeUndefined();
  });

  it('a winning blind append does not conflict with a reader (WriteSerializable) unless it changes metadata', () => {
    const overwrite = readSet({ readWholeTable: true, readFiles: new Set(['old']), removedFiles: new Set(['old']) });
    expect(findConflict(overwrite, { version: 5, actions: blindAppend(add('a')) })).toBeUndefined();
    const evolving = { ...overwrite, changesMetadata: true };
    expect(findConflict(evolving, { version: 5, actions: blindAppend(add('a')) })).toMatchObject({
      reason: 'ConcurrentAppend',
      version: 5,
    });
  });

  it('protocol and metadata changes always conflict', () => {
    expect(
      findConflict(readSet(), { version: 5, actions: [{ protocol: { minReaderVersion: 1, minWriterVersion: 7 } }] }),
    ).toEqual({
      reason: 'ProtocolChanged',
      version: 5,
      detail: 'the table protocol was changed',
    });
    const md = {
      metaData: {
        id: 'x',
        format: { provider: 'parquet' },
        schemaString: '{}',
        partitionColumns: [],
        configuration: {},
      },
    };
    expect(findConflict(readSet(), { version: 5, actions: [md] })?.reason).toBe('MetadataChanged');
    expect(findConflict(readSet({ readVersion: -1 }), { version: 0, actions: [md] })?.detail).toBe(
      'the table was created concurrently',
    );
  });

  it('non-blind adds conflict with a whole-table read or a matching partition predicate only', () => {
    const winner = { version: 7, actions: rewrite([], add('d=2/f', { d: '2' })) };
    expect(findConflict(readSet({ readWholeTable: true }), winner)).toMatchObject({
      reason: 'ConcurrentAppend',
      detail: 'it added d=2/f (partition d=2) to data this transaction read (the whole table)',
    });
    const onlyD1 = readSet({ readPredicate: (a) => a.partitionValues.d === '1' });
    expect(findConflict(onlyD1, winner)).toBeUndefined();
    const onlyD2 = readSet({ readPredicate: (a) => a.partitionValues.d === '2' });
    expect(findConflict(onlyD2, winner)?.reason).toBe('ConcurrentAppend');
    // adds with dataChange=false (compaction) are not new data
    const compaction = { version: 7, actions: rewrite([], { ...add('g'), dataChange: false }) };
    expect(findConflict(readSet({ readWholeTable: true }), compaction)).toBeUndefined();
  });

  it('removal of a file this transaction read or removes conflicts', () => {
    expect(findConflict(readSet({ readFiles: new Set(['f1']) }), { version: 5, actions: rewrite(['f1']) })).toEqual({
      reason: 'ConcurrentDeleteRead',
      version: 5,
      detail: 'it removed f1, which this transaction read',
    });
    expect(findConflict(readSet({ removedFiles: new Set(['f2']) }), { version: 5, actions: rewrite(['f2']) })).toEqual({
      reason: 'ConcurrentDeleteDelete',
      version: 5,
      detail: 'it removed f2, which this transaction removes too',
    });
    expect(
      findConflict(readSet({ readFiles: new Set(['f1']) }), { version: 5, actions: rewrite(['other']) }),
    ).toBeUndefined();
  });

  it('a winning txn for the same application id conflicts', () => {
    const actions: Action[] = [{ txn: { appId: 'ingest', version: 3 } }, ...blindAppend(add('x'))];
    expect(findConflict(readSet({ appIds: new Set(['ingest']) }), { version: 9, actions })).toEqual({
      reason: 'ConcurrentTransaction',
      version: 9,
      detail: 'application ingest committed transaction 3 concurrently',
    });
    expect(findConflict(readSet({ appIds: new Set(['other']) }), { version: 9, actions })).toBeUndefined();
  });
});
