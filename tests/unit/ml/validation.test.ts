import { Float32, makeVector, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { simulateTurbofan } from '../../../kernel-lib/src/data/index.js';
import {
  computeStatistics,
  formatReport,
  inferSchema,
  psi,
  ValidationError,
  validate,
} from '../../../kernel-lib/src/ml/index.js';

/** A copy of `t` with the named columns replaced. */
const replace = (t: Table, cols: Record<string, import('apache-arrow').Vector>) =>
  new Table(Object.fromEntries(t.schema.fields.map((f) => [f.name, cols[f.name] ?? t.getChild(f.name)!])));

describe('statistics', () => {
  it('computes count, nulls, min/max/mean/std, quantiles and a histogram', () => {
    const t = new Table({
      x: makeVector(Float64Array.from([1, 2, 3, 4, Number.NaN])),
      y: vectorFromArray([1, null, 3, null, 2], new Float32()),
      s: vectorFromArray(['a', 'b', 'a', null, 'a']),
    });
    const [x, y, s] = computeStatistics(t, { bins: 3 }).columns;
    expect(x).toMatchObject({ name: 'x', type: 'Float64', count: 5, nulls: 0 });
    expect(x!.numeric).toMatchObject({ min: 1, max: 4, mean: 2.5, nans: 1 });
    expect(x!.numeric!.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(x!.numeric!.quantiles[4]).toBe(2.5); // median
    expect(x!.numeric!.histogram).toEqual({ edges: [1, 2, 3, 4], counts: [1, 1, 2] });
    expect(y).toMatchObject({ nulls: 2, numeric: { min: 1, max: 3, mean: 2 } });
    expect(s).toMatchObject({ type: 'Dictionary<Int32, Utf8>', distinct: 2 });
  });

  it('computes PSI and rejects mismatched bins', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.4 * Math.log(0.9 / 0.5) - 0.4 * Math.log(0.1 / 0.5), 12);
    expect(() => psi([1], [0.5, 0.5])).toThrow(new ValidationError('psi: 1 expected bins but 2 actual bins'));
  });
});

describe('validate', () => {
  const train = simulateTurbofan({ seed: 1, trainUnits: 40, testUnits: 1 }).train;
  const schema = inferSchema(train, { rangeMargin: 0.05 });

  it('finds no errors in a fresh batch from the same process', () => {
    const fresh = simulateTurbofan({ seed: 2, trainUnits: 40, testUnits: 1 }).train;
    const report = validate(fresh, schema, { batchName: 'fresh', schemaName: 'train' });
    expect(report.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('reports a dropped column, a shifted sensor, injected nulls, a type change and an extra column', () => {
    const n = train.numRows;
    const s4 = train.getChild('s4')!.toArray() as Float64Array;
    const s9 = train.getChild('s9')!.toArray() as Float64Array;
    const corrupted = replace(train, {
      s4: makeVector(s4.map((v) => v + 60)),
      s9: vectorFromArray(
        Array.from(s9, (v, i) => (i % 5 === 0 ? null : v)),
        new (train.getChild('s9')!.type.constructor as typeof Float32)(),
      ),
      s17: makeVector(Float32Array.from(train.getChild('s17')!.toArray() as Float64Array)),
    })
      .select(train.schema.fields.map((f) => f.name).filter((c) => c !== 's3'))
      .assign(new Table({ operator: vectorFromArray(new Array(n).fill('x')) }));
    const report = validate(corrupted, schema, { batchName: 'corrupted', schemaName: 'train' });
    const found = report.anomalies.map((a) => `${a.column}:${a.kind}:${a.severity}`);
    expect(found).toEqual(
      expect.arrayContaining([
        's3:missing_column:error',
        's4:out_of_range:error',
        's4:drift:error',
        's9:null_rate:error',
        's17:type_change:error',
        'operator:extra_column:warning',
      ]),
    );
    expect(report.ok).toBe(false);
    const s9Anomaly = report.anomalies.find((a) => a.column === 's9' && a.kind === 'null_rate')!;
    expect(s9Anomaly.value).toBeCloseTo(0.2, 2);
    const text = formatReport(report);
    console.log(text);
    expect(text.split('\n')[0]).toMatch(
      /^Validation of 'corrupted' against 'train': \d+ rows, 26 columns — \d+ anomalies/,
    );
    expect(text).toMatch(/ERROR\s+s3\s+missing_column\s+column is in the schema \(Float64\) but not in the batch/);
    expect(text).toMatch(/ERROR\s+s4\s+drift\s+distribution drift: PSI \d+\.\d+ ≥ 0.25/);
    expect(text).toMatch(/ERROR\s+s9\s+null_rate\s+null rate 20\.0% exceeds the allowed 1\.0%/);
    expect(text).toMatch(/ERROR\s+s17\s+type_change\s+type changed from Float64 to Float32/);
  });

  it('rejects something that is not a schema', () => {
    expect(() => validate(train, {} as never)).toThrow(new ValidationError('validate: the schema has no columns list'));
  });
});
