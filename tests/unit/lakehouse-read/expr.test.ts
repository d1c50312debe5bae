/** Predicate parsing, binding, conservative file skipping and three-valued row evaluation. */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  type AddFile,
  bindExpr,
  ExpressionError,
  evalRow,
  fileColumnStats,
  mayMatchFile,
  parseExpr,
  parseStatsExact,
  referencedColumns,
  type ScalarReader,
  type StructType,
  scalarReader,
} from '../../../kernel-lib/src/lakehouse/index.js';

const schema: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: {} },
    { name: 'v', type: 'double', nullable: true, metadata: {} },
    { name: 'd', type: 'date', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
    { name: 'amt', type: 'decimal(10,2)', nullable: true, metadata: {} },
    { name: 'flag', type: 'boolean', nullable: true, metadata: {} },
    { name: 'weird col', type: 'integer', nullable: true, metadata: {} },
    { name: 'k', type: 'integer', nullable: true, metadata: {} },
  ],
};

describe('parseExpr', () => {
  it('parses the documented grammar with precedence and quoting', () => {
    const e = parseExpr(
      "id >= 10 and (name = 'x' or v is null) and d between '2020-01-01' and '2020-12-31' and k in (1,2,3)",
    );
    expect(referencedColumns(e).sort()).toEqual(['d', 'id', 'k', 'name', 'v']);
    expect(parseExpr('`weird col` <> 3')).toEqual({
      kind: 'cmp',
      op: '!=',
      column: { kind: 'column', name: 'weird col' },
      value: { kind: 'literal', type: 'number', text: '3' },
    });
    // Literal on the left flips the operator.
    expect(parseExpr('5 < id')).toMatchObject({ kind: 'cmp', op: '>', column: { name: 'id' } });
    expect(parseExpr('NOT id IS NOT NULL')).toMatchObject({ kind: 'not', expr: { kind: 'isNull', negated: true } });
    expect(parseExpr('id not in (1, -2)')).toMatchObject({ kind: 'in', negated: true });
    expect(parseExpr("name = 'it''s'")).toMatchObject({ value: { value: "it's" } });
    expect(parseExpr('a or b and c')).toMatchObject({ kind: 'or', right: { kind: 'and' } });
  });

  it('names the bad token and its position', () => {
    expect(() => parseExpr('id >')).toThrow(ExpressionError);
    expect(() => parseExpr('id >')).toThrow(/expected a column or literal but found end of input at position 4/);
    expect(() => parseExpr('id = 1 2')).toThrow(/expected 'and', 'or' or end of input but found '2' at position 7/);
    expect(() => parseExpr('id in (1, 2')).toThrow(/expected '\)' but found end of input/);
    expect(() => parseExpr("name = 'abc")).toThrow(/unterminated string literal at position 7/);
    expect(() => parseExpr('id = 1 ; drop')).toThrow(/unexpected character ";" at position 7/);
    expect(() => parseExpr('')).toThrow(/empty filter expression/);
    expect(() => parseExpr('id = k')).toThrow(/must compare a column with a literal/);
    expect(() => parseExpr('id between 1 or 2')).toThrow(/expected 'and' of BETWEEN but found 'or'/);
  });
});

describe('bindExpr', () => {
  it('rejects unknown columns and literals of the wrong type', () => {
    expect(() => bindExpr(parseExpr('nope = 1'), schema)).toThrow(
      /unknown column 'nope' in filter; the table has: id, name/,
    );
    expect(() => bindExpr(parseExpr("id = 'x'"), schema)).toThrow(
      /literal "x" cannot be compared with column 'id' of type long/,
    );
    expect(() => bindExpr(parseExpr("d = 'not a date'"), schema)).toThrow(/of type date/);
    expect(() => bindExpr(parseExpr('flag = 3'), schema)).toThrow(
      /literal 3 cannot be compared with column 'flag' of type boolean/,
    );
  });

  it('resolves names case-insensitively like Spark', () => {
    expect(bindExpr(parseExpr('ID = 1'), schema)).toMatchObject({ column: 'id', value: 1n });
  });
});

function add(stats: unknown, partitionValues: Record<string, string | null> = {}): AddFile {
  return { path: 'f', partitionValues, size: 1, modificationTime: 0, dataChange: true, stats: JSON.stringify(stats) };
}

const may = (where: string, file: AddFile, partitionColumns: string[] = []): boolean =>
  mayMatchFile(bindExpr(parseExpr(where), schema), fileColumnStats(file, schema, partitionColumns));

describe('file skipping (conservative)', () => {
  const f = add({
    numRecords: 10,
    minValues: { id: 10, name: 'b', v: 1.5, d: '2020-01-01', ts: '2020-01-01T00:00:00.000Z', amt: 1.05 },
    maxValues: { id: 20, name: 'm', v: 9.5, d: '2020-12-31', ts: '2020-06-01T00:00:00.123Z', amt: 99.99 },
    nullCount: { id: 0, name: 2, v: 0, d: 0, ts: 0, amt: 10 },
  });

  it('drops files whose min/max exclude the predicate', () => {
    expect(may('id = 5', f)).toBe(false);
    expect(may('id = 15', f)).toBe(true);
    expect(may('id < 10', f)).toBe(false);
    expect(may('id <= 10', f)).toBe(true);
    expect(may('id > 20', f)).toBe(false);
    expect(may('id >= 20', f)).toBe(true);
    expect(may('id between 21 and 30', f)).toBe(false);
    expect(may('id in (1, 2, 25)', f)).toBe(false);
    expect(may('id in (1, 12)', f)).toBe(true);
    expect(may("name = 'a'", f)).toBe(false);
    expect(may("name >= 'c'", f)).toBe(true);
    expect(may("d > '2021-01-01'", f)).toBe(false);
    expect(may('id = 5 or id = 12', f)).toBe(true);
    expect(may('id = 5 and id = 12', f)).toBe(false);
    expect(may('not (id >= 10)', f)).toBe(false);
    expect(may('not (id > 15)', f)).toBe(true);
  });

  it('uses null counts', () => {
    expect(may('id is null', f)).toBe(false);
    expect(may('name is null', f)).toBe(true);
    expect(may('amt is not null', f)).toBe(false); // all 10 values null
    expect(may('amt = 5', f)).toBe(false);
    expect(may('id = null', f)).toBe(false);
  });

  it('widens millisecond-truncated timestamp maxima', () => {
    // Max stat 00:00:00.123 may stand for .123999: a predicate at .123500 must keep the file.
    expect(may("ts >= '2020-06-01 00:00:00.123500'", f)).toBe(true);
    expect(may("ts >= '2020-06-01 00:00:00.124'", f)).toBe(false);
  });

  it('never skips on missing stats, float upper bounds (NaN), or binary', () => {
    const bare: AddFile = { path: 'g', partitionValues: {}, size: 1, modificationTime: 0, dataChange: true };
    expect(may('id = 5', bare)).toBe(true);
    expect(may('id is null', add({ numRecords: 3 }))).toBe(true);
    expect(may('v > 100', f)).toBe(true);
    expect(may('v < 1', f)).toBe(false);
  });

  it('keeps long and decimal bounds exact (never through a double) and ignores truncated string maxima', () => {
    // 2^53 + 3 would round to 2^53 + 4 through JSON.parse.
    const big: AddFile = {
      ...add({}),
      stats:
        '{"numRecords":1,"minValues":{"id":9007199254740995,"amt":-9999999999.9999999999},"maxValues":{"id":9007199254740995,"amt":-9999999999.9999999999}}',
    };
    expect(may('id = 9007199254740995', big)).toBe(true);
    expect(may('id = 9007199254740996', big)).toBe(false);
    expect(may('amt = -9999999999.9999999999', big)).toBe(true);
    expect(may('amt < -9999999999.99999999989', big)).toBe(true);
    expect(may('amt < -9999999999.9999999999', big)).toBe(false);
    // A 32-character max may be a truncated prefix of a longer value.
    const long = 'x'.repeat(32);
    const s = add({ numRecords: 1, minValues: { name: 'a' }, maxValues: { name: long }, nullCount: { name: 0 } });
    expect(may(`name = '${long}zzz'`, s)).toBe(true);
    expect(may("name = 'yyy'", add({ numRecords: 1, minValues: { name: 'a' }, maxValues: { name: 'b' } }))).toBe(false);
  });

  it('parseStatsExact keeps numbers as text and leaves strings alone', () => {
    const v = parseStatsExact('{"a":-1.50E+3,"s":"x:1,\\"q\\" 2","n":[1,2],"b":true,"z":null}') as Record<
      string,
      unknown
    >;
    expect((v.a as { text: string }).text).toBe('-1.50E+3');
    expect(v.s).toBe('x:1,"q" 2');
    expect((v.n as { text: string }[]).map((x) => x.text)).toEqual(['1', '2']);
    expect(v.b).toBe(true);
    expect(v.z).toBeNull();
  });

  it('compares decimals exactly at any scale', () => {
    expect(
      may(
        'amt < 1.049',
        add({ numRecords: 1, minValues: { amt: 1.05 }, maxValues: { amt: 2 }, nullCount: { amt: 0 } }),
      ),
    ).toBe(false);
    expect(
      may(
        'amt <= 1.050',
        add({ numRecords: 1, minValues: { amt: 1.05 }, maxValues: { amt: 2 }, nullCount: { amt: 0 } }),
      ),
    ).toBe(true);
  });

  it('partition values are exact, including null', () => {
    const p = add({ numRecords: 4 }, { k: '3' });
    expect(may('k = 3', p, ['k'])).toBe(true);
    expect(may('k != 3', p, ['k'])).toBe(false);
    expect(may('k in (1, 2)', p, ['k'])).toBe(false);
    expect(may('k not in (1, 2)', p, ['k'])).toBe(true);
    expect(may('k not in (3)', p, ['k'])).toBe(false);
    const n = add({ numRecords: 4 }, { k: null });
    expect(may('k is null', n, ['k'])).toBe(true);
    expect(may('k = 3', n, ['k'])).toBe(false);
    expect(may('not (k = 3)', n, ['k'])).toBe(false);
  });
});

describe('row evaluation', () => {
  const table = new arrow.Table({
    id: arrow.vectorFromArray([1n, 2n, null, 4n], new arrow.Int64()),
    name: arrow.vectorFromArray(['a', null, 'c', 'd']),
  });
  const readers = new Map<string, ScalarReader>([
    ['id', scalarReader(table.getChild('id')!, 'long')],
    ['name', scalarReader(table.getChild('name')!, 'string')],
  ]);
  const rows = (where: string): (boolean | null)[] => {
    const b = bindExpr(parseExpr(where), schema);
    return [0, 1, 2, 3].map((i) => evalRow(b, readers, i));
  };

  it('casts literals to float for float columns, like Spark', () => {
    const f32: StructType = { type: 'struct', fields: [{ name: 'f', type: 'float', nullable: true, metadata: {} }] };
    const t = new arrow.Table({ f: arrow.vectorFromArray([0.1, 0.5], new arrow.Float32()) });
    const r = new Map<string, ScalarReader>([['f', scalarReader(t.getChild('f')!, 'float')]]);
    const b = bindExpr(parseExpr('f = 0.1'), f32);
    expect([0, 1].map((i) => evalRow(b, r, i))).toEqual([true, false]);
    // Float stats are never trusted for skipping.
    const file = add({ numRecords: 2, minValues: { f: 0.1 }, maxValues: { f: 0.5 }, nullCount: { f: 0 } });
    expect(mayMatchFile(bindExpr(parseExpr('f < 0.1'), f32), fileColumnStats(file, f32, []))).toBe(true);
  });

  it('follows SQL three-valued logic', () => {
    expect(rows('id > 1')).toEqual([false, true, null, true]);
    expect(rows('not (id > 1)')).toEqual([true, false, null, false]);
    expect(rows("id > 1 and name = 'c'")).toEqual([false, null, null, false]);
    expect(rows("id > 1 or name = 'c'")).toEqual([false, true, true, true]);
    expect(rows('id in (1, null)')).toEqual([true, null, null, null]);
    expect(rows('id not in (1, 4)')).toEqual([false, true, null, false]);
    expect(rows('name is null')).toEqual([false, true, false, false]);
    expect(rows('id between 2 and 4')).toEqual([false, true, null, true]);
  });
});
