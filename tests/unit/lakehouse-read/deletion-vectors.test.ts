import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import {
  crc32,
  DataFileError,
  DeletionVectorFormatError,
  decodeDeletionVector,
  dvUniqueId,
  encodeDeletionVector,
  encodeDvFile,
  inlineDeletionVector,
  LocalStorage,
  loadDeletionVector,
  readDvFromFile,
  relativeDvPath,
  uuidToZ85,
  withoutDeletedRows,
  writeDeletionVectorFile,
  z85Decode,
  z85Encode,
  z85ToUuid,
} from '../../../kernel-lib/src/lakehouse/index.js';

/** A DV file Spark wrote (golden table dv-partitioned-with-checkpoint): one DV deleting row 0. */
const SPARK_DV_FILE = Buffer.from(
  '0100000022d1d339640100000000000000000000003a3000000100000000000000100000000000f7a6b4b5',
  'hex',
);

const tmp = mkdtempSync(path.join(tmpdir(), 'dv-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Deterministic pseudo-random numbers (a test must not flake). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('Z85 and DV paths (PROTOCOL.md examples)', () => {
  it('decodes the protocol example UUID path with its random prefix', () => {
    expect(relativeDvPath('ab^-aqEH.-t@S}K{vb[*k^')).toBe(
      'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
    );
    expect(z85ToUuid(uuidToZ85('d2c639aa-8816-431a-aaf6-d3fe2512ff61'))).toBe('d2c639aa-8816-431a-aaf6-d3fe2512ff61');
    expect(uuidToZ85('d2c639aa-8816-431a-aaf6-d3fe2512ff61')).toBe('^-aqEH.-t@S}K{vb[*k^');
  });

  it('round-trips bytes of every length, padding to 4-byte groups like Delta', () => {
    const r = rng(1);
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      const text = z85Encode(bytes);
      expect(text.length).toBe(Math.ceil(n / 4) * 5);
      expect([...z85Decode(text, n)]).toEqual([...bytes]);
    }
  });

  it('rejects bad characters and lengths', () => {
    expect(() => z85Decode('abc')).toThrow(/multiple of 5/);
    expect(() => z85Decode('abc"d')).toThrow(/invalid Z85 character/);
    expect(() => z85Decode('00000', 8)).toThrow(/cannot hold 8 bytes/);
  });
});

describe('RoaringBitmap deletion vectors', () => {
  it("decodes the protocol's inline example (Delta's older native layout)", () => {
    const bytes = z85Decode('wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', 40);
    expect(decodeDeletionVector(bytes)).toEqual([3, 4, 7, 11, 18, 29]);
  });

  it('encodes byte-for-byte what Spark wrote, CRC included', () => {
    const { bytes, offsets } = encodeDvFile([encodeDeletionVector([0])]);
    expect(Buffer.from(bytes).toString('hex')).toBe(SPARK_DV_FILE.toString('hex'));
    expect(offsets).toEqual([1]);
    expect(decodeDeletionVector(readDvFromFile(SPARK_DV_FILE, 1, 34, 'dv.bin'))).toEqual([0]);
  });

  it('round-trips array, bitmap and run containers across 32-bit buckets', () => {
    const r = rng(7);
    const sets: number[][] = [
      [],
      [5],
      Array.from({ length: 3000 }, () => Math.floor(r() * 65536)), // array container
      Array.from({ length: 30000 }, () => Math.floor(r() * 65536)), // bitmap container
      Array.from({ length: 70000 }, (_, i) => 100 + i), // runs spanning two containers
      [1, 2, 3, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 7, 2 ** 52], // several buckets
      Array.from({ length: 5000 }, (_, i) => i * 13), // five containers: offsets with runs absent
      Array.from({ length: 9 }, (_, i) => i * 65536 + 1).concat([65536 * 2 + 2, 65536 * 2 + 3]), // runs + ≥4 containers
    ];
    for (const rows of sets) {
      const expected = [...new Set(rows)].sort((a, b) => a - b);
      expect(decodeDeletionVector(encodeDeletionVector(rows))).toEqual(expected);
    }
  });

  it('picks the smallest container: a run of 10,000 rows takes a few bytes', () => {
    const bytes = encodeDeletionVector(Array.from({ length: 10000 }, (_, i) => i));
    expect(bytes.length).toBeLessThan(40);
    const scattered = encodeDeletionVector(Array.from({ length: 10000 }, (_, i) => i * 2));
    expect(scattered.length).toBeLessThan(8192 + 40); // bitmap, not a 20 kB array
  });

  it('refuses corrupt bytes with a format error', () => {
    const good = encodeDeletionVector([1, 2, 3]);
    expect(() => decodeDeletionVector(good.subarray(0, good.length - 1))).toThrow(DeletionVectorFormatError);
    const badMagic = good.slice();
    badMagic[0] = 0;
    expect(() => decodeDeletionVector(badMagic)).toThrow(/magic number/);
    const corrupt = Uint8Array.from(SPARK_DV_FILE);
    corrupt[30] = 1;
    expect(() => readDvFromFile(corrupt, 1, 34, 'dv.bin')).toThrow(/checksum mismatch/);
    expect(() => readDvFromFile(SPARK_DV_FILE, 1, 35, 'dv.bin')).toThrow(/log says 35/);
    expect(() => encodeDeletionVector([-1])).toThrow(/not an integer/);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('descriptors', () => {
  const storage = new LocalStorage(tmp);

  it('inline descriptors load back with their cardinality', async () => {
    const dv = inlineDeletionVector([9, 1, 1, 4]);
    expect(dv).toMatchObject({ storageType: 'i', cardinality: 3 });
    expect(dvUniqueId(dv)).toBe(`i${dv.pathOrInlineDv}`);
    expect(await loadDeletionVector(storage, dv, 'a.parquet')).toEqual([1, 4, 9]);
  });

  it('DV files hold several DVs at their offsets, under a random prefix', async () => {
    const dvs = await writeDeletionVectorFile(
      storage,
      [[0, 5], [7], Array.from({ length: 100 }, (_, i) => i * 3)],
      'xy',
    );
    expect(dvs.map((d) => d.offset)).toEqual([1, dvs[0]!.offset! + 8 + dvs[0]!.sizeInBytes, expect.any(Number)]);
    expect(relativeDvPath(dvs[0]!.pathOrInlineDv)).toMatch(/^xy\/deletion_vector_[0-9a-f-]{36}\.bin$/);
    const cache = new Map<string, Promise<Uint8Array>>();
    expect(await loadDeletionVector(storage, dvs[1]!, 'b.parquet', cache)).toEqual([7]);
    expect((await loadDeletionVector(storage, dvs[2]!, 'b.parquet', cache)).length).toBe(100);
    expect(cache.size).toBe(1);
    await expect(loadDeletionVector(storage, { ...dvs[1]!, cardinality: 2 }, 'b.parquet')).rejects.toThrow(
      /deletion vector of data file b.parquet .* holds 1 rows, the log says cardinality 2/,
    );
    await expect(
      loadDeletionVector(
        storage,
        { ...dvs[1]!, pathOrInlineDv: uuidToZ85('00000000-0000-0000-0000-000000000000') },
        'c.parquet',
      ),
    ).rejects.toThrow(DataFileError);
  });
});

describe('applying deletion vectors to batches', () => {
  const batchOf = (from: number, n: number) =>
    new arrow.Table({ id: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => from + i)) }).batches[0]!;
  const ids = (bs: arrow.RecordBatch[]) => bs.flatMap((b) => [...b.getChildAt(0)!].map(Number));

  it('drops deleted positions across the batches of one file', () => {
    const deleted = [0, 5, 9, 10, 11, 19, 25];
    const cursor = { i: 0 };
    const out = [batchOf(0, 10), batchOf(10, 10), batchOf(20, 10)].map((b, k) =>
      ids(withoutDeletedRows(b, k * 10, deleted, cursor)),
    );
    expect(out).toEqual([
      [1, 2, 3, 4, 6, 7, 8],
      [12, 13, 14, 15, 16, 17, 18],
      [20, 21, 22, 23, 24, 26, 27, 28, 29],
    ]);
  });

  it('gathers scattered survivors into one batch instead of thousands of slices', () => {
    const deleted = Array.from({ length: 3000 }, (_, i) => i * 3);
    const out = withoutDeletedRows(batchOf(0, 9000), 0, deleted, { i: 0 });
    expect(out.length).toBe(1);
    expect(ids(out)).toEqual(Array.from({ length: 9000 }, (_, i) => i).filter((i) => i % 3 !== 0));
  });
});
