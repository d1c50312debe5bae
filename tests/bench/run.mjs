#!/usr/bin/env node
// Runs every benchmark (tests/bench/<name>/bench.mjs), or the ones named on the
// command line: `npm run bench -- lakehouse runner`. Benchmarks print their own
// times and ratios against a reference run in the same process/run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(here, d.name, 'bench.mjs')))
  .map((d) => d.name)
  .filter((n) => wanted.length === 0 || wanted.includes(n));
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench: ${name}`);
  const r = spawnSync(process.execPath, [path.join(here, name, 'bench.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
