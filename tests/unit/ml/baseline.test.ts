/**
 * The validation gate on a real Delta table: the first batch is a candidate, `adopt`
 * makes it the reference, later batches are checked span by span against it; ERROR
 * anomalies throw one line and leave the full report, unless the gate is opened.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateTurbofan } from '../../../kernel-lib/src/data/index.js';
import { Lakehouse } from '../../../kernel-lib/src/lakehouse/index.js';
import { DataBaselines, DataValidationError } from '../../../kernel-lib/src/ml/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'sw-baseline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const readings = (t: Table) => t.select(t.schema.names.filter((n) => n !== 'unit' && n !== 'cycle') as string[]);
function batch(sensorDrift = 0) {
  const data = simulateTurbofan({ seed: 9, trainUnits: 20, testUnits: 20, sensorDrift });
  return { train: readings(data.train), test: readings(data.test) };
}

describe('DataBaselines', () => {
  const baselines = new DataBaselines(new Lakehouse(root).table('gold/data_baselines'));

  it('records the first batch as a candidate, adopts it once, and passes the same data clean', async () => {
    const first = await baselines.check('engines', batch(), { source: 'run-1' });
    expect(first).toMatchObject({ ok: true, reference: null, source: 'run-1' });
    expect(first.summary).toBe('train + test against baseline engines (candidate): 0 ERROR, 0 warning anomalies');
    expect(await baselines.reference('engines')).toBeUndefined();
    expect(await baselines.adopt('engines', 'run-unknown')).toBe(false);
    expect(await baselines.adopt('engines', 'run-1')).toBe(true);
    // A second candidate never replaces the first blessed run's data.
    await baselines.check('engines', batch(), { source: 'run-2' });
    expect(await baselines.adopt('engines', 'run-2')).toBe(false);
    const again = await baselines.check('engines', batch(), { source: 'run-3' });
    expect(again).toMatchObject({ ok: true, reference: 'run-1' });
    expect(again.reports.map((r) => r.anomalies.length)).toEqual([0, 0]);
  });

  it('fails a drifted batch with a one-line summary and the full report in the report folder', async () => {
    const reportDir = path.join(root, 'artifacts');
    const error = await baselines.check('engines', batch(1), { source: 'run-4', reportDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataValidationError);
    const e = error as DataValidationError;
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toMatch(
      /^data validation failed: train \+ test against baseline engines \(reference from run-1\): \d+ ERROR, \d+ warning anomalies \(train\.s\d+ drift [\d.]+, /,
    );
    expect(e.reportPath).toBe(path.join(reportDir, 'validation-engines.txt'));
    const text = readFileSync(e.reportPath!, 'utf8');
    expect(text).toContain(e.report);
    expect(text).toMatch(/ERROR\s+s4\s+drift\s+distribution drift: PSI/);
    expect(existsSync(path.join(reportDir, 'validation-engines.json'))).toBe(true);
  });

  it('reports without failing when the notebook opts out (gate: false)', async () => {
    const open = await baselines.check('engines', batch(1), { source: 'run-5', gate: false });
    expect(open.ok).toBe(false);
    expect(open.summary).toMatch(/: [1-9]\d* ERROR/);
  });

  it('names a span the reference does not have', async () => {
    await expect(baselines.check('engines', { validation: batch().test }, { source: 'run-6' })).rejects.toThrow(
      "baseline engines has no span 'validation' (it has train, test)",
    );
  });
});
