/** Compile output on a real file system: all or nothing, unchanged files untouched (issue 12 item 7). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PipelineOutputError } from '../../../kernel-lib/src/pipeline/errors.js';
import { writePipelineOutput } from '../../../kernel-lib/src/pipeline/write-output.js';

const root = mkdtempSync(path.join(tmpdir(), 'sw-output-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const output = (steps: Record<string, string>, spec = '{"v":1}\n') => ({ spec, steps: new Map(Object.entries(steps)) });
/** Every path below `dir`, relative, sorted. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('writePipelineOutput', () => {
  it('builds a new folder under a temporary name and leaves nothing else beside it', async () => {
    const parent = mkdtempSync(path.join(root, 'new-'));
    const out = path.join(parent, 'nb.pipeline');
    await writePipelineOutput(out, output({ 'a.mjs': 'A', 'a.mjs.map': '{}' }));
    expect(tree(parent)).toEqual([
      'nb.pipeline',
      'nb.pipeline/pipeline.json',
      'nb.pipeline/steps',
      'nb.pipeline/steps/a.mjs',
      'nb.pipeline/steps/a.mjs.map',
    ]);
    expect(readFileSync(path.join(out, 'steps', 'a.mjs'), 'utf8')).toBe('A');
  });

  it('replaces changed files, removes stale bundles and leaves unchanged files (and their mtimes) alone', async () => {
    const out = path.join(mkdtempSync(path.join(root, 'update-')), 'nb.pipeline');
    await writePipelineOutput(out, output({ 'a.mjs': 'A', 'b.mjs': 'B', 'b.mjs.map': '{}' }));
    writeFileSync(path.join(out, 'steps', 'notes.txt'), 'mine');
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(out, 'steps', 'a.mjs'), old, old);
    await writePipelineOutput(out, output({ 'a.mjs': 'A', 'c.mjs': 'C' }, '{"v":2}\n'));
    expect(tree(out)).toEqual(['pipeline.json', 'steps', 'steps/a.mjs', 'steps/c.mjs', 'steps/notes.txt']);
    expect(statSync(path.join(out, 'steps', 'a.mjs')).mtime).toEqual(old);
    expect(readFileSync(path.join(out, 'pipeline.json'), 'utf8')).toBe('{"v":2}\n');
  });

  it('a file that cannot be written leaves the old output as it was, without temporary files', async () => {
    const out = path.join(mkdtempSync(path.join(root, 'rollback-')), 'nb.pipeline');
    await writePipelineOutput(out, output({ 'a.mjs': 'A' }));
    const before = tree(out);
    // 250 characters: a valid name, but its temporary name is over the 255-byte limit.
    const err = await writePipelineOutput(
      out,
      output({ 'a.mjs': 'A2', [`${'x'.repeat(246)}.mjs`]: 'X' }, '{"v":2}\n'),
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PipelineOutputError);
    expect((err as Error).message).toMatch(
      /^cannot write the compiled pipeline to .*nb\.pipeline: a file name is too long/,
    );
    expect(tree(out)).toEqual(before);
    expect(readFileSync(path.join(out, 'steps', 'a.mjs'), 'utf8')).toBe('A');
    expect(readFileSync(path.join(out, 'pipeline.json'), 'utf8')).toBe('{"v":1}\n');
  });

  it('refuses an output folder that is a file, or below one, creating nothing', async () => {
    const parent = mkdtempSync(path.join(root, 'file-'));
    const file = path.join(parent, 'out');
    writeFileSync(file, 'keep me');
    await expect(writePipelineOutput(file, output({ 'a.mjs': 'A' }))).rejects.toThrow(
      new PipelineOutputError(`output folder ${file} is a file, not a folder`),
    );
    await expect(writePipelineOutput(path.join(file, 'deeper', 'nb.pipeline'), output({}))).rejects.toThrow(
      /^cannot write the compiled pipeline to .*: a file stands where a folder should be/,
    );
    expect(tree(parent)).toEqual(['out']);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });
});
