/** The model registry on a real Delta table: versions, blessing, loading, and pyarrow reading it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Lakehouse } from '../../../kernel-lib/src/lakehouse/index.js';
import { ModelRegistry, RegistryError, XGBoostModel } from '../../../kernel-lib/src/ml/index.js';
import { venvPython } from '../../helpers/paths.js';

const run = promisify(execFile);

describe('ModelRegistry', () => {
  it('registers versions, blesses one, loads by number / latest / blessed', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sw-registry-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const registry = new ModelRegistry(new Lakehouse(root).table('gold/models'));
    expect(await registry.latest('turbofan')).toBeUndefined();
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Float32Array.from({ length: 100 }, (_, i) => (i > 60 ? 1 : 0));
    const m1 = await XGBoostModel.train({ columns: { x } }, y, { rounds: 3 });
    const m2 = await XGBoostModel.train({ columns: { x } }, y, { rounds: 6 });
    const v1 = await registry.register('turbofan', m1, { metrics: { f1: 0.7 }, source: 'test' });
    const v2 = await registry.register('turbofan', m2, { metrics: { f1: 0.8 } });
    await registry.register('other', m1);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1).toMatchObject({
      name: 'turbofan',
      metrics: { f1: 0.7 },
      featureNames: ['x'],
      source: 'test',
      blessed: false,
    });
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);

    await registry.bless('turbofan', 1, 'first');
    expect((await registry.latest('turbofan', { blessed: true }))?.version).toBe(1);
    expect((await registry.latest('turbofan'))?.version).toBe(2);
    await registry.bless('turbofan', 2);
    expect((await registry.versions('turbofan')).map((v) => v.blessed)).toEqual([false, true]);

    const loaded = await registry.load('turbofan', 'blessed');
    expect(loaded.numTrees).toBe(6);
    expect(Array.from(loaded.predict({ columns: { x: [10, 90] } }))).toEqual(
      Array.from(m2.predict({ columns: { x: [10, 90] } })),
    );
    expect((await registry.load('turbofan', 1)).numTrees).toBe(3);

    await expect(registry.bless('turbofan', 7)).rejects.toThrow(
      new RegistryError('cannot bless turbofan version 7: registered versions are 1, 2'),
    );
    await expect(registry.load('nothing', 'blessed')).rejects.toThrow(
      `model nothing has no blessed version in ${path.join(root, 'gold', 'models')}`,
    );
    await expect(registry.register("x'; DROP", m1)).rejects.toThrow(`invalid model name "x'; DROP"`);

    // The registry is a plain Delta table: pyarrow reads its Parquet files.
    const { stdout } = await run(venvPython, [
      '-c',
      `import pyarrow.dataset as ds, sys; t = ds.dataset(sys.argv[1], format="parquet").to_table(); print(t.num_rows, sorted(set(t.column("event").to_pylist())))`,
      path.join(root, 'gold', 'models'),
    ]);
    expect(stdout.trim()).toBe("5 ['blessed', 'registered']");
    for (const m of [m1, m2, loaded]) m.free();
  });
});
