/**
 * Validates specs against schema/pipeline.schema.json with ajv (JSON Schema
 * 2020-12). The schema is read from the repository's `schema/` folder.
 *
 * Compiling the schema costs ~80 ms and loading ajv's compiler ~45 ms, on every
 * compile and every runner start. The compiled validator is therefore kept as ajv's
 * standalone code (the very code `compile` generates) in
 * `node_modules/.cache/stillwater/ajv/` beside the package (or
 * `$STILLWATER_CACHE_DIR/ajv`), keyed by the schema's text and ajv's version;
 * `STILLWATER_NO_CACHE=1` compiles every time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020 as Ajv2020Class, ValidateFunction } from 'ajv/dist/2020.js';
import { SpecReadError, SpecValidationError } from './errors.js';
import type { PipelineSpec } from './spec.js';

const req = createRequire(import.meta.url);

/** `schema/<name>` of the repository (this file is `kernel-lib/{src,dist}/pipeline/…`). */
export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`../../../schema/${name}`, import.meta.url));
}

let validator: ValidateFunction | undefined;

/** Compiles the validator now (it is otherwise compiled on first use). */
export function prepareSpecValidator(): void {
  specValidator();
}

function specValidator(): ValidateFunction {
  if (!validator) {
    const schemaText = readFileSync(schemaPath('pipeline.schema.json'), 'utf8');
    const cacheFile = validatorCacheFile(schemaText);
    validator = (cacheFile && cachedValidator(cacheFile)) || compileValidator(schemaText, cacheFile);
  }
  return validator;
}

function validatorCacheFile(schemaText: string): string | undefined {
  if (process.env.STILLWATER_NO_CACHE) return undefined;
  try {
    const ajvPackage = req.resolve('ajv/package.json');
    const version = (JSON.parse(readFileSync(ajvPackage, 'utf8')) as { version: string }).version;
    const dir = process.env.STILLWATER_CACHE_DIR
      ? path.resolve(process.env.STILLWATER_CACHE_DIR)
      : path.resolve(path.dirname(ajvPackage), '..', '.cache', 'stillwater');
    const key = createHash('sha256').update(`ajv ${version} allErrors strict\n${schemaText}`).digest('hex');
    return path.join(dir, 'ajv', `pipeline-schema-${key.slice(0, 32)}.cjs`);
  } catch {
    return undefined;
  }
}

/** The validator from its cached standalone code (CommonJS requiring ajv's runtime), or undefined. */
function cachedValidator(file: string): ValidateFunction | undefined {
  try {
    const code = readFileSync(file, 'utf8');
    const mod = { exports: {} as { default?: ValidateFunction } };
    new Function('require', 'module', 'exports', code)(req, mod, mod.exports);
    return typeof mod.exports.default === 'function' ? mod.exports.default : undefined;
  } catch {
    return undefined;
  }
}

function compileValidator(schemaText: string, cacheFile: string | undefined): ValidateFunction {
  const { Ajv2020 } = req('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class };
  const ajv = new Ajv2020({ allErrors: true, strict: true, code: { source: true } });
  const validate = ajv.compile(JSON.parse(schemaText) as object);
  if (cacheFile) {
    try {
      const standalone = (req('ajv/dist/standalone/index.js') as { default: (a: unknown, v: unknown) => string })
        .default;
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, standalone(ajv, validate));
      renameSync(tmp, cacheFile);
    } catch {
      // Read-only node_modules: compile again next time.
    }
  }
  return validate;
}

/** Schema errors of `spec` as readable strings (empty = valid). */
export function specSchemaErrors(spec: unknown): string[] {
  const validate = specValidator();
  if (validate(spec)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

export function assertValidSpec(spec: unknown, where: string): asserts spec is PipelineSpec {
  const errors = specSchemaErrors(spec);
  if (errors.length > 0)
    throw new SpecValidationError(`${where}: pipeline spec does not match the schema: ${errors.join('; ')}`);
}

/** Reads and validates a `pipeline.json` (used by the runner and exports). */
export async function readPipelineSpec(specPath: string): Promise<PipelineSpec> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(specPath, 'utf8'));
  } catch (e) {
    throw new SpecReadError(`${specPath}: cannot read pipeline spec: ${(e as Error).message}`, { cause: e });
  }
  const errors = specSchemaErrors(json);
  if (errors.length > 0) throw new SpecReadError(`${specPath}: not a valid pipeline spec: ${errors.join('; ')}`);
  return json as PipelineSpec;
}
