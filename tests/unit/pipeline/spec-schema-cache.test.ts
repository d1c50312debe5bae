import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  BUILD_VALIDATOR_DIR,
  compileValidator,
  loadValidator,
  validatorKey,
  writeBuildValidator,
} from '../../../kernel-lib/src/pipeline/spec-validator.js';
import { repoRoot } from '../../helpers/paths.js';
import { sampleSpec, sampleStep } from '../../helpers/sample-spec.js';

type SpecSchema = typeof import('../../../kernel-lib/src/pipeline/spec-schema.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stillwater-ajv-'));
const saved = { dir: process.env.STILLWATER_CACHE_DIR, off: process.env.STILLWATER_NO_CACHE };
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  setEnv({ STILLWATER_CACHE_DIR: saved.dir, STILLWATER_NO_CACHE: saved.off });
});
function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
}
/** spec-schema.ts as a fresh module (no validator loaded yet) under `env`. */
async function freshModule(env: Record<string, string | undefined>): Promise<SpecSchema> {
  setEnv(env);
  vi.resetModules();
  return (await import('../../../kernel-lib/src/pipeline/spec-schema.js')) as SpecSchema;
}
const folder = (name: string) => path.join(tmp, name);

const schemaText = readFileSync(path.join(repoRoot, 'schema', 'pipeline.schema.json'), 'utf8');
const step = sampleStep;
const valid = { ...sampleSpec, lakehouseRoot: null };
/** Valid and invalid specs: the valid one, each top-level field dropped or mistyped, bad steps. */
const samples: unknown[] = [
  valid,
  { specVersion: 2, name: 7, steps: [{ name: 'x', kind: 'nope' }], extra: true },
  null,
  [],
  'pipeline.json',
  ...Object.keys(valid).flatMap((k) => [
    Object.fromEntries(Object.entries(valid).filter(([f]) => f !== k)),
    { ...valid, [k]: { wrong: [k] } },
  ]),
  { ...valid, steps: [] },
  {
    ...valid,
    steps: [{ ...step, bundle: '/abs/train.mjs', inputs: [{ name: 'table', from: 'load', marshal: 'json' }] }],
  },
  { ...valid, steps: [{ ...step, retries: -1, limits: { cpu: 2 } }] },
];
/** What `validate` answers for every sample: the verdict and the errors it reports. */
function answers(validate: ReturnType<typeof compileValidator>['validate']): [boolean, unknown][] {
  return samples.map((s) => [validate(s), validate.errors ?? null]);
}

describe('spec validator generated at build time (ajv standalone code)', () => {
  const fresh = answers(compileValidator(schemaText).validate);

  it('is used when its key matches the schema text, and answers as a freshly compiled validator', () => {
    expect(fresh[0]).toEqual([true, null]);
    expect(fresh.filter(([ok]) => !ok).length).toBe(samples.length - 1);
    const buildDir = folder('build');
    const file = writeBuildValidator(schemaText, buildDir);
    expect(path.basename(file)).toBe(`pipeline-schema-${validatorKey(schemaText)}.cjs`);
    const loaded = loadValidator(schemaText, { buildDir, cacheDir: folder('cache-unused') });
    expect(loaded.origin).toBe('build');
    expect(answers(loaded.validate)).toEqual(fresh);
    expect(existsSync(folder('cache-unused'))).toBe(false);
  });

  it('is ignored when the schema text differs: the changed schema is compiled and obeyed', () => {
    const buildDir = folder('build-stale');
    writeBuildValidator(schemaText, buildDir);
    // The same schema, except that descriptions must now be non-empty.
    const changed = schemaText.replace(
      '"description": { "type": "string" }',
      '"description": { "type": "string", "minLength": 1 }',
    );
    expect(changed).not.toBe(schemaText);
    const loaded = loadValidator(changed, { buildDir });
    expect(loaded.origin).toBe('compiled');
    expect(loaded.validate(valid)).toBe(true);
    expect(loaded.validate({ ...valid, description: '' })).toBe(false);
    expect(loadValidator(schemaText, { buildDir }).validate({ ...valid, description: '' })).toBe(true);
  });

  it('replaces validators of older schemas when the build runs again', () => {
    const buildDir = folder('build-again');
    writeBuildValidator(schemaText.replace('"type": "object"', '"type":"object"'), buildDir);
    const file = writeBuildValidator(schemaText, buildDir);
    expect(readdirSync(buildDir)).toEqual([path.basename(file)]);
  });

  it('falls back to the runtime cache, which answers the same', () => {
    const cacheDir = folder('cache');
    const first = loadValidator(schemaText, { buildDir: folder('no-build'), cacheDir });
    expect(first.origin).toBe('compiled');
    expect(readdirSync(cacheDir)).toEqual([`pipeline-schema-${validatorKey(schemaText)}.cjs`]);
    const second = loadValidator(schemaText, { buildDir: folder('no-build'), cacheDir });
    expect(second.origin).toBe('cache');
    expect(answers(first.validate)).toEqual(fresh);
    expect(answers(second.validate)).toEqual(fresh);
  });

  it('spec-schema.ts takes the build output when it is current, else compiles and caches', async () => {
    const cacheDir = folder('module-cache');
    const current = existsSync(path.join(BUILD_VALIDATOR_DIR, `pipeline-schema-${validatorKey(schemaText)}.cjs`));
    const mod = await freshModule({ STILLWATER_NO_CACHE: undefined, STILLWATER_CACHE_DIR: cacheDir });
    expect(mod.specSchemaErrors(valid)).toEqual([]);
    expect(mod.specSchemaErrors(samples[1]).length).toBeGreaterThan(3);
    // With a current build output (after `npm run build`) nothing is compiled, so nothing is cached.
    expect(existsSync(path.join(cacheDir, 'ajv'))).toBe(!current);
  });

  it('STILLWATER_NO_CACHE compiles the schema and writes nothing', async () => {
    const cacheDir = folder('module-no-cache');
    const mod = await freshModule({ STILLWATER_NO_CACHE: '1', STILLWATER_CACHE_DIR: cacheDir });
    expect(mod.specSchemaErrors(valid)).toEqual([]);
    expect(existsSync(cacheDir)).toBe(false);
  });
});
