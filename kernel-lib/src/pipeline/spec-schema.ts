/**
 * Validates specs against schema/pipeline.schema.json with ajv (JSON Schema
 * 2020-12). The schema is read from the repository's `schema/` folder.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { SpecReadError, SpecValidationError } from './errors.js';
import type { PipelineSpec } from './spec.js';

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
    const schema = JSON.parse(readFileSync(schemaPath('pipeline.schema.json'), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  }
  return validator;
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
