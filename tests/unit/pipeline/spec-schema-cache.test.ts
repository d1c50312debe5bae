import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

type SpecSchema = typeof import('../../../kernel-lib/src/pipeline/spec-schema.js');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'stillwater-ajv-cache-'));
const saved = { dir: process.env.STILLWATER_CACHE_DIR, off: process.env.STILLWATER_NO_CACHE };
afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
  for (const [k, v] of [
    ['STILLWATER_CACHE_DIR', saved.dir],
    ['STILLWATER_NO_CACHE', saved.off],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

/** spec-schema.ts as a fresh module (no validator compiled yet) under `env`. */
async function freshModule(env: Record<string, string | undefined>): Promise<SpecSchema> {
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  vi.resetModules();
  return (await import('../../../kernel-lib/src/pipeline/spec-schema.js')) as SpecSchema;
}

describe('cached spec validator (ajv standalone code)', () => {
  const compiled = path.join(repoRoot, 'tests', 'fixtures', 'notebooks', 'diamond.pipeline', 'pipeline.json');
  const valid = existsSync(compiled) ? JSON.parse(readFileSync(compiled, 'utf8')) : undefined;
  const invalid = { specVersion: 2, name: 7, steps: [{ name: 'x', kind: 'nope' }], extra: true };

  it('gives the same answers from the cache as from compiling the schema', async () => {
    const plain = await freshModule({ STILLWATER_NO_CACHE: '1', STILLWATER_CACHE_DIR: cacheDir });
    const expected = plain.specSchemaErrors(invalid);
    expect(expected.length).toBeGreaterThan(3);
    expect(readdirSync(cacheDir)).toEqual([]);

    const writing = await freshModule({ STILLWATER_NO_CACHE: undefined, STILLWATER_CACHE_DIR: cacheDir });
    expect(writing.specSchemaErrors(invalid)).toEqual(expected);
    expect(readdirSync(path.join(cacheDir, 'ajv'))).toHaveLength(1);

    const reading = await freshModule({ STILLWATER_CACHE_DIR: cacheDir });
    expect(reading.specSchemaErrors(invalid)).toEqual(expected);
    if (valid) expect(reading.specSchemaErrors(valid)).toEqual([]);
  });
});
