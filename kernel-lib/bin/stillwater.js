#!/usr/bin/env node
// The `stillwater` command: a committed file that loads the built CLI. npm links a
// package's bin when it installs the package, and skips a bin whose file is missing —
// in a fresh clone `npm ci` runs before `npm run build` has made dist/, so pointing the
// bin at dist/cli/main.js left `npx stillwater` with nothing to run.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'stillwater: @stillwater/kernel is not built (dist/cli/main.js is missing); run `npm run build` first\n',
  );
  process.exit(1);
}
await import(main.href);
