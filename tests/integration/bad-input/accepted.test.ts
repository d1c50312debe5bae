/**
 * The other side of the corpus: inputs from issue 12 that look bad but have a right
 * answer, through the real CLI — an empty CSV into an existing table, a table whose
 * checkpoint is corrupt while every commit is still there (read with a warning, as
 * Spark does), very long --where chains, a notebook made for another kernel.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable, writeCheckpoint } from '../../../kernel-lib/src/lakehouse/index.js';
import { cliPath, freshOutDir } from '../../helpers/paths.js';
import { cell, TSLAB } from './harness.js';
import { makeTemplateTable } from './templates.js';

let root = '';
beforeAll(() => {
  root = freshOutDir('bad-input-ok-');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [cliPath, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
}

const ids = async (table: string, ...flags: string[]) =>
  JSON.parse((await cli('table', 'read', table, '--json', ...flags)).stdout).rows.map((r: { id: number }) => r.id);

describe('inputs that look bad but are fine', () => {
  it('a header-only CSV appends zero rows to an existing table, and overwrite empties it (item 5)', async () => {
    const t = await makeTemplateTable(mkdtempSync(path.join(root, 't-')));
    const csv = path.join(root, 'h.csv');
    writeFileSync(csv, 'id,name\n');
    const appended = JSON.parse((await cli('table', 'write', t, '--from', csv, '--json')).stdout);
    expect(appended).toMatchObject({ version: 3, numRows: 0, numFiles: 0 });
    expect(await ids(t)).toHaveLength(9);
    await cli('table', 'write', t, '--from', csv, '--mode', 'overwrite');
    expect(await ids(t)).toEqual([]);
    expect((await new DeltaTable(t).describe()).schema.fields.map((f) => f.name)).toEqual([
      'id',
      'name',
      'score',
      'd',
      'ts',
    ]);
  });

  it('a corrupt checkpoint is read past, from every commit since 0, with one warning line (item 14)', async () => {
    const t = await makeTemplateTable(mkdtempSync(path.join(root, 't-')));
    await writeCheckpoint(new DeltaTable(t).storage, 2);
    const checkpoint = path.join(t, '_delta_log', `${'0'.repeat(19)}2.checkpoint.parquet`);
    writeFileSync(checkpoint, 'PAR1 torn');
    const { stdout, stderr } = await cli('table', 'read', t, '--columns', 'id');
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^warning: checkpoint .*00000000000000000002\.checkpoint\.parquet is not a readable Parquet file: .*; reading version 2 of table .* from the JSON commits 0\.\.2 instead$/,
      ),
    ]);
  });

  it('--where takes a 4,000-term OR and 25,000 NOTs (item 6)', async () => {
    const t = await makeTemplateTable(mkdtempSync(path.join(root, 't-')));
    const or = Array.from({ length: 4000 }, (_, i) => `id = ${i * 2}`).join(' or ');
    expect(await ids(t, '--where', or)).toEqual([0, 2, 4, 6, 8]);
    expect(await ids(t, '--where', `${'not '.repeat(25_000)}id > 6`)).toEqual([7, 8]);
  });

  it('compiles a notebook made for another kernel, with a warning naming it (item 14)', async () => {
    const nb = path.join(root, 'py.ipynb');
    const metadata = { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } };
    writeFileSync(nb, JSON.stringify({ ...TSLAB, metadata, cells: [cell(['step:a'], 'const x = 1;')] }));
    const { stdout, stderr } = await cli('compile', nb, '--check');
    expect(stdout).toBe(`${nb}: ok (1 steps)\n`);
    expect(stderr).toBe(
      'warning: notebook kernel is "python3" (language python), not tslab: Stillwater compiles the cells as TypeScript for tslab, so the pipeline may not do what the notebook does\n',
    );
  });
});
