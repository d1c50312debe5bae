/** `stillwater table delete|update|merge|optimize|vacuum|restore`, run as processes against the built CLI. */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMain, removeTmpDirs, tmpDir } from '../lakehouse/helpers.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[]): Promise<Record<string, unknown>> {
  const r = await cli([...args, '--json']);
  expect(r.stderr.replace(/.*wasm streaming.*\n?/g, ''), args.join(' ')).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function rows(table: string): Promise<string[]> {
  const out = (await ok(['table', 'read', table])) as { rows: Record<string, unknown>[] };
  return out.rows.map((r) => `${r.unit}/${r.cycle}=${r.s1}`).sort();
}

afterAll(removeTmpDirs);
beforeAll(() => {
  if (!existsSync(cliMain)) throw new Error('build @stillwater/kernel first (npm run build -w @stillwater/kernel)');
});

describe('stillwater table DML', () => {
  it('delete, update, merge (CSV source), optimize, restore, vacuum with --json and --dry-run', async () => {
    const dir = tmpDir('cli-dml');
    const table = path.join(dir, 't');
    const csv = (name: string, text: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    await ok(['table', 'write', table, '--from', csv('a.csv', 'unit,cycle,s1\n1,1,10\n1,2,11\n2,1,20\n')]);
    await ok(['table', 'write', table, '--from', csv('b.csv', 'unit,cycle,s1\n2,2,21\n3,1,30\n')]);

    const dry = await ok(['table', 'delete', table, '--where', 'unit = 3', '--dry-run']);
    expect(dry).toMatchObject({ skipped: 'dry run', metrics: { numDeletedRows: 1 } });
    expect(dry.version).toBeUndefined();
    expect(await rows(table)).toHaveLength(5);
    const del = await ok(['table', 'delete', table, '--where', 'unit = 3']);
    expect(del).toMatchObject({ operation: 'DELETE', version: 2, metrics: { numDeletedRows: 1, numCopiedRows: 1 } });

    const upd = await ok(['table', 'update', table, '--set', 's1=s1*10', '--where', 'unit = 1']);
    expect(upd).toMatchObject({ operation: 'UPDATE', version: 3, metrics: { numUpdatedRows: 2 } });
    expect(await rows(table)).toEqual(['1/1=100', '1/2=110', '2/1=20', '2/2=21']);

    const src = csv('src.csv', 'unit,cycle,s1\n2,2,99\n4,1,40\n');
    const merged = await ok([
      'table',
      'merge',
      table,
      '--source',
      src,
      '--on',
      't.unit = s.unit and t.cycle = s.cycle',
      '--update-all',
      '--insert-all',
    ]);
    expect(merged).toMatchObject({
      operation: 'MERGE',
      metrics: { numTargetRowsUpdated: 1, numTargetRowsInserted: 1 },
    });
    expect(await rows(table)).toEqual(['1/1=100', '1/2=110', '2/1=20', '2/2=99', '4/1=40']);

    const opt = await ok(['table', 'optimize', table]);
    expect(opt).toMatchObject({ operation: 'OPTIMIZE' });
    expect((opt.metrics as Record<string, number>).numAddedFiles).toBe(1);

    const res = await ok(['table', 'restore', table, '--version', '1']);
    expect(res).toMatchObject({ operation: 'RESTORE' });
    expect(await rows(table)).toHaveLength(5);

    const vac = await ok(['table', 'vacuum', table, '--dry-run']);
    expect(vac).toMatchObject({ dryRun: true, retentionHours: 168, numDeletedFiles: 0 });
    const refused = await cli(['table', 'vacuum', table, '--retention-hours', '0']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/InvalidArgumentError.*below the table's minimum of 168 h/s);
    const forced = await ok(['table', 'vacuum', table, '--retention-hours', '0', '--force']);
    expect(forced.numDeletedFiles).toBeGreaterThan(0);
    expect(await rows(table)).toHaveLength(5);

    const bad = await cli(['table', 'update', table, '--set', 'nope=1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/ExpressionError.*nope/s);
  }, 180_000);
});
