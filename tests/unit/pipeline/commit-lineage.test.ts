/**
 * Lineage at its source, in one process: the lakehouse asks its commit-info channel for
 * extra commitInfo fields (nobody listening: none), the step runtime answers with the
 * run context (commit-tags.ts) without overriding the commit's own fields, and the read
 * trace keeps the exact versions read and committed, minus the step's own read back.
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/table.js';
import { tagCommits } from '../../../kernel-lib/src/pipeline/runtime/commit-tags.js';
import { tableLineage } from '../../../kernel-lib/src/pipeline/runtime/read-trace-collect.js';
import { startTracing } from '../../../kernel-lib/src/pipeline/runtime/trace-setup.js';
import { tableVersionLineage } from '../../../kernel-lib/src/runner/lineage-query.js';
import { runHistoryAt } from '../../../kernel-lib/src/runner/runs-query.js';
import { freshOutDir } from '../../helpers/paths.js';

const rows = (n: number) => arrow.tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i) });
const commitInfo = (table: string, version: number) =>
  JSON.parse(
    readFileSync(path.join(table, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8').split('\n')[0]!,
  ).commitInfo;

describe('lineage of commits and reads', () => {
  const dir = freshOutDir('commit-lineage-');
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');

  it('writes no stillwater field outside a run', async () => {
    await new DeltaTable(a).append(rows(3));
    expect(commitInfo(a, 0).stillwater).toBeUndefined();
    expect(commitInfo(a, 0).operation).toBe('CREATE TABLE AS SELECT');
    // `stillwater runs lineage` on it: no run wrote it.
    const l = await tableVersionLineage(runHistoryAt(path.join(dir, 'home')), a);
    expect(l).toMatchObject({
      table: a,
      version: 0,
      operation: 'CREATE TABLE AS SELECT',
      writtenBy: null,
      inputs: null,
    });
  });

  it('tags every commit inside a run with run, step and notebook; the commit keeps its own fields', async () => {
    // Another listener trying to change the operation: the commit's own fields win.
    subscribe('stillwater:delta-commit-info', (m) => {
      (m as { fields: Record<string, unknown> }).fields.operation = 'HIJACKED';
    });
    tagCommits({ runId: 'run-1', step: 'train', notebook: '/nb/turbofan.ipynb', artifacts: null });
    const trace = startTracing();
    await new DeltaTable(a).read(); // a@0, another step's
    await new DeltaTable(b).append(rows(2)); // b@0
    await new DeltaTable(b).append(rows(1)); // b@1
    await new DeltaTable(b).read(); // b@1, read back: not an input
    await new DeltaTable(a).read({ version: 0 });
    trace.stop();
    for (const v of [0, 1]) {
      expect(commitInfo(b, v).stillwater).toEqual({ runId: 'run-1', step: 'train', notebook: '/nb/turbofan.ipynb' });
    }
    expect([commitInfo(b, 0).operation, commitInfo(b, 1).operation]).toEqual(['CREATE TABLE AS SELECT', 'WRITE']);
    const lineage = tableLineage(trace.recorded.versions);
    expect(lineage.wrote).toEqual([
      { table: b, version: 0 },
      { table: b, version: 1 },
    ]);
    // b@0 (read by the second append, which builds on it) and b@1 are its own: read back, not inputs.
    expect(lineage.read).toEqual([{ table: a, version: 0 }]);
  });
});
