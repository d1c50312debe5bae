// Build step (after tsc): generates the pipeline-spec validator as ajv standalone
// code into dist/pipeline/validators/, so no compile or runner start pays for
// compiling the schema (~125 ms). The runtime uses it only while its key (schema
// text, ajv version) matches; otherwise it falls back to its cache or to ajv.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemaPath } from '../dist/pipeline/spec-schema.js';
import { BUILD_VALIDATOR_DIR, writeBuildValidator } from '../dist/pipeline/spec-validator.js';

const file = writeBuildValidator(readFileSync(schemaPath('pipeline.schema.json'), 'utf8'), BUILD_VALIDATOR_DIR);
console.log(`spec validator: ${path.relative(process.cwd(), file)}`);
