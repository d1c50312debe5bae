import { makeVector, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  confusionMatrixSvg,
  deltaTableHtml,
  featureImportanceSvg,
  inKernel,
  NotebookError,
  rocCurveSvg,
  sensorTrendSvg,
  showTable,
  tableHtml,
} from '../../../kernel-lib/src/notebook/index.js';

/** Checks that every opened tag is closed in order (a well-formedness check without a DOM). */
function balanced(markup: string): boolean {
  const stack: string[] = [];
  for (const m of markup.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose || name === 'br') continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('charts', () => {
  it('draws a ROC curve with one polyline point per curve point', () => {
    const s = rocCurveSvg({ fpr: [0, 0, 0.5, 1], tpr: [0, 0.5, 1, 1] }, { auc: 0.875 });
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(s).toContain('ROC curve (AUC 0.8750)');
    expect(s.match(/<polyline points="([^"]*)"/)![1]!.split(' ')).toHaveLength(4);
    expect(balanced(s)).toBe(true);
  });

  it('draws the top features as bars, largest first, escaping names', () => {
    const s = featureImportanceSvg({ a: 1, '<b>': 5, c: 3 }, { top: 2 });
    expect(count(s, '<rect x=')).toBe(2);
    expect(s.indexOf('&#60;b&#62;')).toBeLessThan(s.indexOf('>c<'));
    expect(s).not.toContain('>a<');
    expect(balanced(s)).toBe(true);
  });

  it('draws a confusion matrix with its four counts', () => {
    const s = confusionMatrixSvg({ tp: 96, fp: 30, tn: 12943, fn: 27 });
    for (const n of ['96', '30', '12943', '27', 'TP', 'FN']) expect(s).toContain(`>${n}<`);
    expect(balanced(s)).toBe(true);
  });

  it('draws one line per chosen unit and rejects tables without the sensor', () => {
    const t = new Table({
      unit: makeVector(Int32Array.from([1, 1, 1, 2, 2, 3])),
      cycle: makeVector(Int32Array.from([1, 2, 3, 1, 2, 1])),
      s2: makeVector(Float64Array.from([1, 2, 3, 2, 1, 9])),
    });
    const s = sensorTrendSvg(t, { sensor: 's2', units: [1, 2] });
    expect(count(s, '<polyline')).toBe(2);
    expect(s).toContain('>unit 2<');
    expect(s).not.toContain('>unit 3<');
    expect(balanced(s)).toBe(true);
    expect(() => sensorTrendSvg(t, { sensor: 's9' })).toThrow(
      new NotebookError('sensorTrendSvg: the table needs columns unit, cycle and s9'),
    );
  });
});

describe('table displays', () => {
  const t = new Table({
    id: makeVector(Int32Array.from({ length: 30 }, (_, i) => i)),
    name: vectorFromArray(Array.from({ length: 30 }, (_, i) => (i === 3 ? null : `<n${i}>`))),
  });

  it('previews head and tail rows with types, escaping values', () => {
    const html = tableHtml(t, { maxRows: 6, caption: 'demo' });
    expect(html).toContain('demo — 30 rows × 2 columns');
    expect(count(html, '<tr>')).toBe(1 + 3 + 1 + 3);
    expect(html).toContain('&#60;n29&#62;');
    expect(html).not.toContain('<n1>');
    expect(html).toContain('<small>Int32</small>');
    expect(balanced(html.replace(/<style>.*<\/style>/, ''))).toBe(true);
  });

  it('shows a Delta table card with schema, version and history', () => {
    const html = deltaTableHtml(
      {
        path: '/lake/bronze/train',
        version: 2,
        id: 'x',
        name: null,
        description: null,
        schema: { type: 'struct', fields: [{ name: 'unit', type: 'integer', nullable: false, metadata: {} }] },
        partitionColumns: [],
        numFiles: 3,
        numRows: 100,
        sizeInBytes: 2048,
        protocol: { minReaderVersion: 1, minWriterVersion: 2 },
        properties: {},
        createdTime: null,
        lastModified: 0,
      },
      [{ version: 2, timestamp: 0, operation: 'WRITE', operationMetrics: { numOutputRows: '100' } }],
    );
    expect(html).toContain('/lake/bronze/train — version 2, 100 rows in 3 files (2048 bytes)');
    expect(html).toContain('<td style="text-align:left">unit</td><td style="text-align:left">integer</td><td>no</td>');
    expect(html).toContain('1970-01-01T00:00:00.000Z');
    expect(html).toContain('WRITE');
  });

  it('prints a text summary outside a kernel', () => {
    expect(inKernel()).toBe(false);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      showTable(t, { caption: 'demo' });
    } finally {
      console.log = log;
    }
    expect(lines).toEqual(['demo: 30 rows × 2 columns (id: Int32, name: Dictionary<Int32, Utf8>)']);
  });
});
