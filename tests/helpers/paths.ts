import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, resolved from this file. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared data folder beside the repository (read-only; never copied in). */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
/** Python of the test venv (pyarrow, pandas, jupyterlab, nbclient). */
export const venvPython = path.join(repoRoot, '.venv', 'bin', 'python');
/** Debian's Python, which has the native XGBoost 1.7 reference. */
export const systemPython = '/usr/bin/python3';
/** The built CLI. */
export const cliPath = path.join(repoRoot, 'kernel-lib', 'dist', 'cli', 'main.js');
/** Test output root (inside the repo, so bundles written there resolve node_modules). */
export const testOutDir = path.join(repoRoot, 'tests', '.out');

/** A fresh folder under tests/.out; creates tests/.out first, so a test file also runs alone. */
export function freshOutDir(prefix: string): string {
  mkdirSync(testOutDir, { recursive: true });
  return mkdtempSync(path.join(testOutDir, prefix));
}

/** A fresh folder under tests/.out holding a copy of the turbofan example notebook (`turbofan.ipynb`). */
export function turbofanWorkspace(prefix: string): string {
  const dir = freshOutDir(prefix);
  copyFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), path.join(dir, 'turbofan.ipynb'));
  return dir;
}
