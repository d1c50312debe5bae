// Build step (after tsc): copies the repository's schema/*.json into dist/schema/, so the
// published package carries the schemas it validates against (the compiler and runner
// read dist/schema/pipeline.schema.json; users import `@stillwater/kernel/schema/…`).
// schema/ at the repository root stays the one source; dist/schema/ is rebuilt from it.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../schema/', import.meta.url));
const target = fileURLToPath(new URL('../dist/schema/', import.meta.url));
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const schemas = readdirSync(source).filter((f) => f.endsWith('.json'));
for (const f of schemas) copyFileSync(source + f, target + f);
console.log(`schemas: ${schemas.length} copied into dist/schema/`);
