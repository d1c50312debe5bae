import { makeVector, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  addLabels,
  addRollingFeatures,
  constantColumns,
  dropColumns,
  FeatureError,
  remainingCycles,
  Scaler,
} from '../../../kernel-lib/src/data/index.js';

const table = (cols: Record<string, number[]>, ints = ['unit', 'cycle']) =>
  new Table(
    Object.fromEntries(
      Object.entries(cols).map(([k, v]) => [
        k,
        makeVector(ints.includes(k) ? Int32Array.from(v) : Float64Array.from(v)),
      ]),
    ),
  );
const values = (t: Table, name: string) => Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);

describe('labels', () => {
  const t = table({ unit: [1, 1, 1, 2, 2], cycle: [1, 2, 3, 1, 2], x: [0, 0, 0, 0, 0] });

  it('counts remaining cycles to each unit’s last row (train)', () => {
    expect(Array.from(remainingCycles(t))).toEqual([2, 1, 0, 1, 0]);
  });

  it('adds the RUL for cut-off test units and labels remaining ≤ window', () => {
    const rul = table({ unit: [1, 2], rul: [10, 1] }, ['unit', 'rul']);
    const out = addLabels(t, { window: 2, rul });
    expect(values(out, 'remaining')).toEqual([12, 11, 10, 2, 1]);
    expect(values(out, 'label')).toEqual([0, 0, 0, 1, 1]);
    expect(String(out.schema.fields.at(-1)!.type)).toBe('Int32');
  });

  it('rejects a missing RUL, unsorted cycles, split units and bad windows', () => {
    const rul = table({ unit: [1], rul: [10] }, ['unit', 'rul']);
    expect(() => remainingCycles(t, rul)).toThrow(new FeatureError('remainingCycles: no RUL value for unit 2'));
    const unsorted = table({ unit: [1, 1], cycle: [2, 1] });
    expect(() => remainingCycles(unsorted)).toThrow(
      'remainingCycles: rows are not ordered by cycle within unit 1: row 1 has cycle 1 after cycle 2',
    );
    const split = table({ unit: [1, 2, 1], cycle: [1, 1, 2] });
    expect(() => remainingCycles(split)).toThrow(
      'remainingCycles: rows of unit 1 are not contiguous (unit 1 reappears at row 2)',
    );
    expect(() => addLabels(t, { window: -1 })).toThrow('addLabels: window must be a non-negative integer, got -1');
    expect(() => remainingCycles(table({ unit: [1] }))).toThrow(
      "remainingCycles: column 'cycle' not found (columns: unit)",
    );
  });
});

describe('addRollingFeatures', () => {
  it('computes the trailing mean and sample std per unit, never crossing units', () => {
    const t = table({ unit: [1, 1, 1, 1, 2, 2], cycle: [1, 2, 3, 4, 1, 2], x: [1, 2, 4, 8, 100, 102] });
    const out = addRollingFeatures(t, { columns: ['x'], window: 3 });
    expect(values(out, 'x_mean3')).toEqual([1, 1.5, 7 / 3, 14 / 3, 100, 101].map((v) => expect.closeTo(v, 12)));
    const sd = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    };
    expect(values(out, 'x_std3')).toEqual(
      [0, sd([1, 2]), sd([1, 2, 4]), sd([2, 4, 8]), 0, sd([100, 102])].map((v) => expect.closeTo(v, 12)),
    );
  });

  it('stays exact for large values with tiny variation and lets NaN leave the window', () => {
    const big = [2388.06, 2388.04, 2388.08, 2388.06, 2388.06, 2388.06];
    const t = table({ unit: [1, 1, 1, 1, 1, 1], cycle: [1, 2, 3, 4, 5, 6], x: big, y: [1, Number.NaN, 3, 4, 5, 6] });
    const out = addRollingFeatures(t, { columns: ['x', 'y'], window: 2, stats: ['std', 'mean'] });
    expect(values(out, 'x_std2')[5]).toBe(0);
    expect(values(out, 'x_std2')[1]).toBeCloseTo(Math.SQRT2 * 0.01, 9);
    expect(values(out, 'y_mean2')).toEqual([1, Number.NaN, Number.NaN, 3.5, 4.5, 5.5]);
  });

  it('rejects a bad window and a missing column', () => {
    const t = table({ unit: [1], cycle: [1], x: [1] });
    expect(() => addRollingFeatures(t, { columns: ['x'], window: 0 })).toThrow(
      new FeatureError('addRollingFeatures: window must be a positive integer, got 0'),
    );
    expect(() => addRollingFeatures(t, { columns: ['s9'], window: 3 })).toThrow(
      "addRollingFeatures: column 's9' not found (columns: unit, cycle, x)",
    );
  });
});

describe('Scaler', () => {
  const train = table({ a: [0, 5, 10], b: [1, 2, 3], c: [7, 7, 7] });
  const test = table({ a: [20, -10], b: [2, 4], c: [7, 8] });

  it('fits min-max on train only and applies the same mapping to test', () => {
    const s = Scaler.fit(train, ['a', 'b', 'c'], 'minmax');
    expect(values(s.transform(train), 'a')).toEqual([0, 0.5, 1]);
    expect(values(s.transform(test), 'a')).toEqual([2, -1]);
    expect(values(s.transform(test), 'c')).toEqual([0, 1]);
  });

  it('z-scores with the population std, and survives a JSON round trip', () => {
    const s = Scaler.fromJSON(JSON.parse(JSON.stringify(Scaler.fit(train, ['b'], 'zscore'))));
    const sd = Math.sqrt(2 / 3);
    expect(values(s.transform(test), 'b')).toEqual([0, 2 / sd]);
    expect(values(s.transform(test), 'a')).toEqual([20, -10]);
  });

  it('rejects unknown kinds, non-numeric and empty columns', () => {
    expect(() => Scaler.fit(train, ['a'], 'robust' as never)).toThrow(
      "Scaler.fit: unknown scaling 'robust' (expected 'minmax' or 'zscore')",
    );
    expect(() => Scaler.fit(table({ a: [Number.NaN] }), ['a'])).toThrow(
      new FeatureError("Scaler.fit: column 'a' has no non-null values"),
    );
  });
});

describe('constant columns', () => {
  it('finds exactly constant columns (or within a tolerance) and drops them', () => {
    const t = table({ a: [1, 1, 1], b: [1, 1.001, 1], c: [3, 4, 5] });
    expect(constantColumns(t)).toEqual(['a']);
    expect(constantColumns(t, { tolerance: 0.01 })).toEqual(['a', 'b']);
    expect(dropColumns(t, ['a', 'b']).schema.fields.map((f) => f.name)).toEqual(['c']);
  });
});
