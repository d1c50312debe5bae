/**
 * Tests that read `../shared` (the Delta golden corpus, C-MAPSS FD001, the KFP/Argo
 * references). CI has that folder beside the repository; a bare clone does not, and there
 * such tests skip with the reason printed — they never fail on ENOENT and never vanish
 * silently.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it, type TestFunction } from 'vitest';
import { repoRoot, sharedDir } from './paths.js';

/** `../shared/<rel>`. */
export function sharedPath(rel: string): string {
  return path.join(sharedDir, rel);
}

/** Why `../shared/<rel>` cannot be used here, or undefined when it exists. */
export function sharedMissing(rel: string): string | undefined {
  const p = sharedPath(rel);
  if (existsSync(p)) return undefined;
  return `needs ${path.relative(repoRoot, p)} (the shared data beside the repository), absent here`;
}

function reportSkip(name: string, missing: string): void {
  console.warn(`skipped "${name}": ${missing}`);
}

/**
 * `describe(name, body)` when `../shared/<rel>` exists. Otherwise `body` is not even
 * collected (it may list the data at collection time): one skipped test names what is missing.
 */
export function describeWithShared(rel: string, name: string, body: () => void): void {
  const missing = sharedMissing(rel);
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  reportSkip(name, missing);
  describe(name, () => {
    it.skip(`skipped: ${missing}`, () => {});
  });
}

/** `it(name, fn, timeout)` when `../shared/<rel>` exists, else a skipped test whose name says why. */
export function itWithShared(rel: string, name: string, fn: TestFunction, timeout?: number): void {
  const missing = sharedMissing(rel);
  if (missing === undefined) {
    it(name, fn, timeout);
    return;
  }
  reportSkip(name, missing);
  it.skip(`${name} — skipped: ${missing}`, () => {});
}
