import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStorage, StorageNotFoundError } from '../../kernel-lib/src/lakehouse/index.js';

describe('LocalStorage', () => {
  it('putIfAbsent lets exactly one of many concurrent writers win', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-storage-'));
    const storage = new LocalStorage(dir);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        storage.putIfAbsent('_delta_log/00.json', new TextEncoder().encode(`w${i}`)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(new TextDecoder().decode(await storage.read('_delta_log/00.json'))).toBe(`w${winner}`);
    // no temp files are left behind
    expect(readdirSync(path.join(dir, '_delta_log'))).toEqual(['00.json']);
  });

  it('lists sorted, reads, and reports missing files with a typed error', async () => {
    const storage = new LocalStorage(mkdtempSync(path.join(tmpdir(), 'sw-storage-')));
    await storage.write('a/2.txt', new Uint8Array([2]));
    await storage.write('a/1.txt', new Uint8Array([1]));
    await storage.write('a/b/3.txt', new Uint8Array([3]));
    expect((await storage.list('a')).map((f) => f.path)).toEqual(['a/1.txt', 'a/2.txt']);
    expect((await storage.listRecursive('a')).map((f) => f.path)).toEqual(['a/1.txt', 'a/2.txt', 'a/b/3.txt']);
    expect(await storage.list('missing')).toEqual([]);
    await expect(storage.read('nope')).rejects.toBeInstanceOf(StorageNotFoundError);
    await storage.delete('a/1.txt');
    expect(await storage.head('a/1.txt')).toBeUndefined();
  });
});
