import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CMAPSS_COLUMNS,
  constantColumns,
  readCmapssDir,
  remainingCycles,
  SimulatorError,
  simulateTurbofan,
  unitRuns,
  writeTurbofan,
} from '../../../kernel-lib/src/data/index.js';

const columnsOf = (t: import('apache-arrow').Table) =>
  Object.fromEntries(CMAPSS_COLUMNS.map((n) => [n, Array.from(t.getChild(n)!.toArray() as ArrayLike<number>)]));

describe('simulateTurbofan', () => {
  const small = { seed: 7, trainUnits: 12, testUnits: 10 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = simulateTurbofan(small);
    const b = simulateTurbofan(small);
    const c = simulateTurbofan({ ...small, seed: 8 });
    expect(columnsOf(a.train)).toEqual(columnsOf(b.train));
    expect(columnsOf(a.test)).toEqual(columnsOf(b.test));
    expect(Array.from(a.rul.getChild('rul')!.toArray())).toEqual(Array.from(b.rul.getChild('rul')!.toArray()));
    expect(columnsOf(c.train).s2).not.toEqual(columnsOf(a.train).s2);
  });

  it('runs train units to failure and cuts test units off with a positive RUL', () => {
    const d = simulateTurbofan(small);
    const trainRuns = unitRuns(d.train, 'test');
    const testRuns = unitRuns(d.test, 'test');
    expect(trainRuns.map((r) => r.unit)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(testRuns).toHaveLength(10);
    const lives = trainRuns.map((r) => r.end - r.start);
    expect(Math.min(...lives)).toBeGreaterThan(100);
    expect(Math.max(...lives)).toBeLessThan(400);
    const rul = Array.from(d.rul.getChild('rul')!.toArray() as Int32Array);
    expect(rul.every((r) => r >= 1)).toBe(true);
    // The last train row of every unit has 0 cycles left; test ends at the RUL.
    const rem = remainingCycles(d.train);
    expect(trainRuns.map((r) => rem[r.end - 1])).toEqual(new Array(12).fill(0));
    const testRem = remainingCycles(d.test, d.rul);
    expect(testRuns.map((r) => testRem[r.end - 1])).toEqual(rul);
  });

  it('has degrading sensors that drift with wear, and six constant channels', () => {
    const d = simulateTurbofan(small);
    expect(constantColumns(d.train, { columns: CMAPSS_COLUMNS.slice(2) })).toEqual([
      'setting3',
      's1',
      's5',
      's10',
      's16',
      's18',
      's19',
    ]);
    const s4 = d.train.getChild('s4')!.toArray() as Float64Array;
    const rem = remainingCycles(d.train);
    const mean = (pred: (r: number) => boolean) => {
      let s = 0;
      let n = 0;
      rem.forEach((r, i) => {
        if (pred(r)) {
          s += s4[i]!;
          n++;
        }
      });
      return s / n;
    };
    expect(mean((r) => r <= 20) - mean((r) => r > 100)).toBeGreaterThan(8);
  });

  it('writes C-MAPSS text files that read back to the same tables', async () => {
    const d = simulateTurbofan(small);
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-sim-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    await writeTurbofan(dir, d, 'SIM001');
    const back = await readCmapssDir(dir, 'SIM001');
    expect(columnsOf(back.train)).toEqual(columnsOf(d.train));
    expect(columnsOf(back.test)).toEqual(columnsOf(d.test));
    expect(Array.from(back.rul.getChild('rul')!.toArray())).toEqual(Array.from(d.rul.getChild('rul')!.toArray()));
  });

  it('pins the default data set (seed 42), so the demo numbers stay reproducible', () => {
    const d = simulateTurbofan();
    expect([d.train.numRows, d.test.numRows, d.rul.numRows]).toEqual([20559, 12007, 100]);
    const s4 = d.train.getChild('s4')!.toArray() as Float64Array;
    expect([s4[0], s4[s4.length - 1]]).toEqual([1424.45, 1434.63]);
  });

  it('rejects bad options', () => {
    expect(() => simulateTurbofan({ trainUnits: 0 })).toThrow(
      new SimulatorError('trainUnits must be a positive integer, got 0'),
    );
    expect(() => simulateTurbofan({ meanLife: 5 })).toThrow('meanLife must be between 20 and 10000 cycles, got 5');
  });
});
