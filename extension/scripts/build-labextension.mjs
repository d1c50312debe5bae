#!/usr/bin/env node
/**
 * Builds the prebuilt (federated) extension into labextension/ with @jupyterlab/builder.
 * `jupyter labextension build` needs the network (it fetches @jupyterlab/core-meta), so
 * this calls the builder directly with the core metadata of the JupyterLab installed in
 * the repository's venv (`scripts/provision.sh` creates it). Without that venv — e.g.
 * `npm ci && npm run demo` on a fresh machine — the TypeScript is still compiled and the
 * labextension step is skipped with a note.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.resolve(here, '..');
const repo = path.resolve(extension, '..');
const lib = path.join(repo, '.venv', 'lib');
const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
const staging = python ? path.join(lib, python, 'site-packages', 'jupyterlab', 'staging') : undefined;
if (!staging || !existsSync(path.join(staging, 'package.json'))) {
  console.log('extension: no JupyterLab in .venv (run scripts/provision.sh); skipping the labextension build');
  process.exit(0);
}
const builder = path.join(repo, 'node_modules', '@jupyterlab', 'builder', 'lib', 'build-labextension.js');
execFileSync(process.execPath, [builder, '--core-path', staging, extension], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
console.log(`extension: built ${path.relative(repo, path.join(extension, 'labextension'))}`);
