/**
 * Lakehouse handles cross steps by reference; the step runtime pins the table version
 * into the reference it writes, so a rewritten table invalidates downstream cache
 * entries (otherwise `count` would be served a stale result from the cache).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/table.js';
import { LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';

async function run(nb: string, options: RunOptions) {
  const h = runPipeline(nb, options);
  for await (const _ of h) {
    // drain
  }
  return h.result;
}

describe('delta-table outputs', () => {
  it('re-run consumers when the referenced table changed, even if the reference did not', async () => {
    const { dir, nb } = writeNotebook('refs', [
      code(
        ['imports'],
        "import { DeltaTable } from '@stillwater/kernel/lakehouse';\nimport { tableFromArrays } from 'apache-arrow';",
      ),
      code(['pipeline-parameters'], 'const n = 3;'),
      code(
        ['step:write'],
        "const t = new DeltaTable('./tbl');\nawait t.write(tableFromArrays({ x: Int32Array.from({ length: n }, (_, i) => i) }), { mode: 'overwrite' });",
      ),
      code(['step:count', 'prev:write'], 'const rows = (await t.read()).numRows;'),
      code(['pipeline-metrics'], 'rows'),
    ]);
    const home = path.join(dir, 'home');
    const first = await run(nb, { home });
    expect(first.status).toBe('done');
    expect(first.metrics).toEqual({ rows: 3 });
    // The step runtime wrote the reference pinned to the version it produced.
    const store = new LocalArtifactStore(path.join(home, 'artifacts'));
    const refHash = first.stepExecutions.find((s) => s.step === 'write')!.outputs.t!;
    expect(JSON.parse(readFileSync(await store.localPath(refHash), 'utf8'))).toEqual({
      kind: 'delta-table',
      path: path.join(dir, 'tbl'),
      version: 0,
    });

    const unchanged = await run(nb, { home });
    expect(unchanged.steps).toEqual({ write: 'cached', count: 'cached' });

    const bigger = await run(nb, { home, params: { n: '5' } });
    expect(bigger.steps).toEqual({ write: 'done', count: 'done' });
    expect(bigger.metrics).toEqual({ rows: 5 });

    // Someone appends to the table behind the pipeline's back: the cached `write` no longer
    // describes the table, so it runs again (overwriting), and so does `count`.
    await new DeltaTable(path.join(dir, 'tbl')).append(arrow.tableFromArrays({ x: Int32Array.from([9]) }));
    const after = await run(nb, { home, params: { n: '5' } });
    expect(after.steps).toEqual({ write: 'done', count: 'done' });
    expect(after.metrics).toEqual({ rows: 5 });
  });

  it('a lakehouse output pins only the tables its step wrote, so a later append elsewhere keeps the cache', async () => {
    const { dir, nb } = writeNotebook('lake', [
      code(
        ['imports'],
        "import { Lakehouse } from '@stillwater/kernel/lakehouse';\nimport { tableFromArrays } from 'apache-arrow';",
      ),
      code(
        ['step:ingest'],
        "const lake = new Lakehouse('./lake');\nawait lake.table('bronze/raw').write(tableFromArrays({ x: Int32Array.from([1, 2, 3]) }), { mode: 'overwrite' });",
      ),
      // Like the turbofan example's evaluate step: every execution appends to a gold table.
      code(
        ['step:register', 'prev:ingest'],
        "const raw = (await lake.table('bronze/raw').read()).numRows;\nawait lake.table('gold/log').append(tableFromArrays({ rows: Int32Array.from([raw]) }));",
      ),
      code(['pipeline-metrics'], 'raw'),
    ]);
    const home = path.join(dir, 'home');
    const first = await run(nb, { home });
    expect(first.status).toBe('done');
    expect(first.metrics).toEqual({ raw: 3 });
    // gold/log moved on (register appended to it), but ingest did not write it: all cached.
    const second = await run(nb, { home });
    expect(second.steps).toEqual({ ingest: 'cached', register: 'cached' });
    // A change behind the pipeline's back to a table ingest did write invalidates it.
    await new DeltaTable(path.join(dir, 'lake', 'bronze', 'raw')).append(
      arrow.tableFromArrays({ x: Int32Array.from([4]) }),
    );
    const third = await run(nb, { home });
    expect(third.steps).toEqual({ ingest: 'done', register: 'done' });
    expect(third.metrics).toEqual({ raw: 3 });
  });
});
