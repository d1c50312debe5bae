/** `stillwater table …` and `stillwater demo`, run as processes against the built CLI. */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeParquetBytes } from '../../../kernel-lib/src/lakehouse/index.js';
import { cliMain, removeTmpDirs, tmpDir } from './helpers.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd?: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const json = (r: Ran) => {
  expect(r.stderr.replace(/.*wasm streaming.*\n?/g, '')).toBe('');
  return JSON.parse(r.stdout);
};

afterAll(removeTmpDirs);

beforeAll(() => {
  if (!existsSync(cliMain)) throw new Error('build @stillwater/kernel first (npm run build -w @stillwater/kernel)');
});

describe('stillwater table', () => {
  it('write (CSV, partitioned) → describe → read (jsonl, csv, json; projection, filter, limit) → history', async () => {
    const dir = tmpDir('cli');
    const table = path.join(dir, 'sensors');
    const csv = path.join(dir, 'in.csv');
    writeFileSync(
      csv,
      'unit,cycle,temp,ok,day,note\n1,1,518.67,true,2024-01-01,"a, quoted ""note"""\n1,2,519.5,false,2024-01-02,\n2,1,,true,2024-01-01,plain\n',
    );
    const w = json(await cli(['table', 'write', table, '--from', csv, '--partition-by', 'unit', '--json']));
    expect(w).toMatchObject({ mode: 'append', version: 0, numFiles: 2, numRows: 3 });

    const d = json(await cli(['table', 'describe', table, '--json']));
    expect(d).toMatchObject({
      version: 0,
      partitionColumns: ['unit'],
      numFiles: 2,
      numRows: 3,
      protocol: { minReaderVersion: 1, minWriterVersion: 2 },
      properties: {},
    });
    expect(d.schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual([
      'unit:long',
      'cycle:long',
      'temp:double',
      'ok:boolean',
      'day:date',
      'note:string',
    ]);

    const jsonl = await cli(['table', 'read', table, '--where', 'unit = 1', '--columns', 'cycle,note']);
    expect(jsonl.code).toBe(0);
    expect(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { cycle: 1, note: 'a, quoted "note"' },
      { cycle: 2, note: null },
    ]);
    const csvOut = await cli([
      'table',
      'read',
      table,
      '--format',
      'csv',
      '--columns',
      'unit,cycle,temp,day,note',
      '--where',
      'cycle = 1',
    ]);
    expect(csvOut.stdout.trim().split('\n').sort()).toEqual(
      ['unit,cycle,temp,day,note', '1,1,518.67,2024-01-01,"a, quoted ""note"""', '2,1,,2024-01-01,plain'].sort(),
    );
    const limited = json(await cli(['table', 'read', table, '--limit', '1', '--json']));
    expect(limited.version).toBe(0);
    expect(limited.rows).toHaveLength(1);
    expect(limited.columns).toEqual(['unit', 'cycle', 'temp', 'ok', 'day', 'note']);

    // Append with the table's types (cycle is long even though the values look small), then time-travel.
    const more = path.join(dir, 'more.csv');
    writeFileSync(more, 'unit,cycle,temp,ok,day,note\n3,1,500,false,2024-02-01,x\n');
    expect(json(await cli(['table', 'write', table, '--from', more, '--json']))).toMatchObject({
      version: 1,
      numRows: 1,
    });
    expect(json(await cli(['table', 'describe', table, '--version', '0', '--json'])).numRows).toBe(3);
    expect(json(await cli(['table', 'describe', table, '--json'])).numRows).toBe(4);
    const h = json(await cli(['table', 'history', table, '--json']));
    const t0 = new Date(h[1].timestamp).toISOString();
    expect(json(await cli(['table', 'describe', table, '--timestamp', t0, '--json'])).version).toBe(0);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const late = await cli(['table', 'describe', table, '--timestamp', future, '--json']);
    expect(JSON.parse(late.stdout).error.type).toBe('VersionNotFoundError');

    expect(h.map((e: { version: number; operation: string }) => [e.version, e.operation])).toEqual([
      [1, 'WRITE'],
      [0, 'CREATE TABLE AS SELECT'],
    ]);
    const text = await cli(['table', 'history', table]);
    expect(text.stdout).toMatch(/^\s+1 {2}\d{4}-.*WRITE .*rows=1\n\s+0 /);

    // Overwrite from a Parquet file.
    const pq = path.join(dir, 'in.parquet');
    const data = new arrow.Table({
      unit: arrow.vectorFromArray([BigInt(9)], new arrow.Int64()),
      cycle: arrow.vectorFromArray([BigInt(1)], new arrow.Int64()),
      temp: arrow.vectorFromArray([1.5], new arrow.Float64()),
      ok: arrow.vectorFromArray([true], new arrow.Bool()),
      day: arrow.vectorFromArray([new Date(Date.UTC(2024, 5, 1))], new arrow.DateDay()),
      note: arrow.vectorFromArray(['p'], new arrow.Utf8()),
    });
    writeFileSync(pq, writeParquetBytes(data));
    expect(json(await cli(['table', 'write', table, '--from', pq, '--mode', 'overwrite', '--json']))).toMatchObject({
      version: 2,
      mode: 'overwrite',
    });
    const after = json(await cli(['table', 'read', table, '--json']));
    expect(after.rows).toEqual([{ unit: 9, cycle: 1, temp: 1.5, ok: true, day: '2024-06-01', note: 'p' }]);
  }, 240_000);

  it('reports bad input as typed errors (JSON with --json, one line on stderr otherwise) and exits 1', async () => {
    const dir = tmpDir('cli-bad');
    const table = path.join(dir, 't');
    const csv = path.join(dir, 'a.csv');
    writeFileSync(csv, 'id,name\n1,a\n');
    expect((await cli(['table', 'write', table, '--from', csv])).code).toBe(0);

    const badValue = path.join(dir, 'b.csv');
    writeFileSync(badValue, 'id,name\nx,b\n');
    const r1 = await cli(['table', 'write', table, '--from', badValue, '--json']);
    expect(r1.code).toBe(1);
    expect(JSON.parse(r1.stdout)).toEqual({
      error: { type: 'CsvInputError', message: `${badValue} row 2, column id: cannot read "x" as long` },
    });

    const extra = path.join(dir, 'c.csv');
    writeFileSync(extra, 'id,name,age\n2,b,40\n');
    const r2 = await cli(['table', 'write', table, '--from', extra]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(
      /^stillwater: SchemaMismatchError: write to .*: column age \(long\) is not in the table schema/,
    );
    expect(json(await cli(['table', 'write', table, '--from', extra, '--merge-schema', '--json']))).toMatchObject({
      version: 1,
    });

    const r3 = await cli(['table', 'describe', table, '--version', '7', '--json']);
    expect(JSON.parse(r3.stdout).error.type).toBe('VersionNotFoundError');
    const r4 = await cli(['table', 'describe', table, '--version', '0', '--timestamp', '2024-01-01', '--json']);
    expect(JSON.parse(r4.stdout).error).toEqual({
      type: 'InvalidArgumentError',
      message: 'give either --version or --timestamp, not both',
    });
    const r5 = await cli(['table', 'write', table, '--from', path.join(dir, 'missing.csv'), '--json']);
    expect(JSON.parse(r5.stdout).error).toEqual({
      type: 'InvalidArgumentError',
      message: `cannot read --from ${path.join(dir, 'missing.csv')}: ENOENT`,
    });
    const r6 = await cli(['table', 'read', path.join(dir, 'nothing'), '--json']);
    expect(JSON.parse(r6.stdout).error.type).toBe('TableNotFoundError');
    const txt = path.join(dir, 'x.txt');
    writeFileSync(txt, 'hi');
    const r7 = await cli(['table', 'write', table, '--from', txt]);
    expect(r7.stderr).toContain('unsupported file type .txt; use .csv or .parquet');
    const r8 = await cli(['table', 'write', path.join(dir, 'p'), '--from', csv, '--partition-by', 'nope']);
    expect(r8.stderr).toMatch(
      /InvalidArgumentError: partition column "nope" of table .* is not in the schema \[id, name\]/,
    );
  }, 240_000);

  it('demo writes, appends, overwrites, time-travels and prints history', async () => {
    const dir = tmpDir('demo');
    const r = await cli(['demo'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('v0: created bronze/engine_readings with 10 rows in 2 files');
    expect(r.stdout).toContain('v1: appended 5 rows for unit 3');
    expect(r.stdout).toContain('v2: overwrote the table with 3 rows');
    expect(r.stdout).toMatch(/time travel to v1, unit 3:\n( {2}\{"unit":3,"cycle":\d,"T30":[\d.]+\}\n){5}/);
    expect(r.stdout).toContain('tables: bronze/engine_readings');
    expect(existsSync(path.join(dir, '.stillwater', 'demo', 'bronze', 'engine_readings', '_delta_log'))).toBe(true);
  });
});
