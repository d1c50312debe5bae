/**
 * The step cache. A step's cache key is the sha256 of everything that decides
 * its outputs: its bundle hash, the content hashes of its inputs, the values
 * of the parameters it uses and the versions of the packages it imports
 * (step-packages.ts). The index is one small JSON file per key in the
 * home (`cache/<key>.json`), written when an execution succeeds — a lookup is a
 * single file read, never a scan of the run history. An entry also records what
 * the execution read besides its inputs (input-trace.ts): a hit holds only while
 * those are unchanged.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from './artifact-store.js';
import type { MetricValue } from './events.js';
import type { TracedReads } from './input-trace.js';

export interface CacheKeyParts {
  step: string;
  bundleHash: string;
  /** Input name → artifact hash. */
  inputs: Record<string, string>;
  /** Values of the parameters the step uses. */
  params: Record<string, unknown>;
  /** Names of the step's outputs (a step producing a different set is a different step). */
  outputs: string[];
  /** Package → installed version, of the packages the step's bundle imports. */
  packages: Record<string, string>;
}

/** The cache key of one step execution (sha256 hex). Insensitive to key order. */
export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    'stillwater-step-cache/2',
    parts.step,
    parts.bundleHash,
    sortedEntries(parts.inputs),
    sortedEntries(parts.params),
    [...parts.outputs].sort(),
    sortedEntries(parts.packages),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sortedEntries(o: Record<string, unknown>): [string, unknown][] {
  return Object.keys(o)
    .sort()
    .map((k) => [k, o[k]]);
}

/** What the cache remembers of a successful execution. */
export interface CacheEntry {
  key: string;
  pipeline: string;
  step: string;
  runId: string;
  finishedAt: string;
  outputs: Record<string, string>;
  metrics: Record<string, MetricValue>;
  /** What the execution read besides its inputs; the entry holds only while these are unchanged (input-trace.ts). */
  traced?: TracedReads;
}

export class CacheIndex {
  constructor(readonly dir: string) {}

  private fileOf(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** The entry for `key` if there is one and every output artifact still exists. */
  async lookup(key: string, store: ArtifactStore): Promise<CacheEntry | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(this.fileOf(key), 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
    for (const hash of Object.values(entry.outputs)) {
      if (!(await store.has(hash))) return undefined;
    }
    return entry;
  }

  /** Records a successful execution (atomically: readers never see half a file). */
  async record(entry: CacheEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.fileOf(entry.key)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, this.fileOf(entry.key));
  }
}
