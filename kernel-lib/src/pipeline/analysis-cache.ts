/**
 * A persistent cache of the data-flow analysis, so a compile in a fresh process
 * (`stillwater compile`, the extension's `--check`) does not load and run the
 * TypeScript compiler when nothing it would read has changed. TypeScript is most
 * of a cold compile: loading it, parsing the lib and package declarations, binding.
 *
 * An entry is valid when
 * - the key matches: the notebook's path (imports resolve from its folder), its
 *   cells and metadata, the TypeScript version and this compiler's own modules
 *   (name, size, mtime of every file beside this one, so a rebuilt compiler never
 *   reads an older compiler's entry), and
 * - every file the TypeScript program read (lib, package and local declarations,
 *   local modules) still has the size and mtime it had.
 * Entries are written only when every import of the notebook resolved, so a module
 * that appears later cannot change what an import means behind the cache's back.
 *
 * Where: `node_modules/.cache/stillwater/analysis/` of the nearest `node_modules`
 * above the notebook (the find-cache-dir convention), or `$STILLWATER_CACHE_DIR`;
 * `STILLWATER_NO_CACHE=1` turns it off. One file per notebook (named by its path's
 * hash) holding the latest analysis. The cache is an optimisation only: any problem
 * reading or writing it means "no entry".
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cacheDir } from './cache-dir.js';
import { fileURLToPath } from 'node:url';
import type * as ts from 'typescript';
import type { Analysis } from './analysis.js';
import type { NotebookCell } from './notebook.js';

/** Bump when the entry layout changes. */
const FORMAT = 'stillwater-analysis-cache/1';

interface Entry {
  format: string;
  key: string;
  /** [file, size, mtimeMs] of every file the program read; size -1 = did not exist. */
  inputs: [string, number, number][];
  analysis: Analysis;
}

export interface AnalysisCacheSlot {
  /** The cached analysis, when valid. */
  hit?: Analysis;
  /** Stores `analysis` (a no-op when the cache is off or the program saw unresolved imports). */
  store(analysis: Analysis, program: ts.Program | undefined, virtualPath: string | undefined): void;
}

const OFF: AnalysisCacheSlot = { store() {} };

/** The cache directory for a notebook, or undefined when there is none. */
export function analysisCacheDir(notebookPath: string): string | undefined {
  if (process.env.STILLWATER_NO_CACHE) return undefined;
  if (process.env.STILLWATER_CACHE_DIR) return cacheDir('analysis');
  let dir = path.dirname(path.resolve(notebookPath));
  for (;;) {
    const nm = path.join(dir, 'node_modules');
    if (sizeAndMtime(nm)[0] !== -1) return cacheDir('analysis', nm);
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Looks up the analysis of `cells`; the returned slot stores a fresh one. */
export function openAnalysisCache(
  notebookPath: string,
  cells: readonly NotebookCell[],
  metadata: unknown,
): AnalysisCacheSlot {
  const dir = analysisCacheDir(notebookPath);
  if (!dir) return OFF;
  const notebookAbs = path.resolve(notebookPath);
  const key = sha256(JSON.stringify([FORMAT, compilerIdentity(), notebookAbs, cells, metadata ?? null]));
  const file = path.join(dir, `${sha256(notebookAbs).slice(0, 32)}.json`);
  let hit: Analysis | undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    if (
      entry.format === FORMAT &&
      entry.key === key &&
      entry.inputs.every(([f, size, mtime]) => {
        const [s, m] = sizeAndMtime(f);
        return s === size && m === mtime;
      })
    )
      hit = entry.analysis;
  } catch {
    // No entry, or an unreadable one: analyse.
  }
  return {
    hit,
    store(analysis, program, virtualPath) {
      if (!program || !virtualPath || !allImportsResolved(program, virtualPath)) return;
      const inputs: [string, number, number][] = program
        .getSourceFiles()
        .filter((sf) => sf.fileName !== virtualPath)
        .map((sf) => [sf.fileName, ...sizeAndMtime(sf.fileName)]);
      const entry: Entry = { format: FORMAT, key, inputs, analysis };
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        writeFileSync(tmp, JSON.stringify(entry));
        renameSync(tmp, file);
      } catch {
        // A read-only or full disk: compile without the cache.
      }
    },
  };
}

/**
 * Whether every import/export `from '…'` of the notebook resolved to a module. The
 * checker answers from the program's resolutions (already computed); an unresolved
 * one could be satisfied by a file added later, which no recorded mtime would notice.
 */
function allImportsResolved(program: ts.Program, virtualPath: string): boolean {
  const sf = program.getSourceFile(virtualPath);
  if (!sf) return false;
  const checker = program.getTypeChecker();
  for (const st of sf.statements) {
    const spec = (st as { moduleSpecifier?: ts.Expression }).moduleSpecifier;
    if (spec && !checker.getSymbolAtLocation(spec)) return false;
    const ref = (st as { moduleReference?: { expression?: ts.Expression } }).moduleReference?.expression;
    if (ref && !checker.getSymbolAtLocation(ref)) return false;
  }
  return true;
}

let identity: string | undefined;
/** This compiler's modules (name, size, mtime) and the TypeScript version. */
function compilerIdentity(): string {
  if (identity === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const files = readdirSync(here)
      .filter((f) => /\.(js|ts)$/.test(f))
      .sort()
      .map((f) => [f, ...sizeAndMtime(path.join(here, f))]);
    const tsPackage = createRequire(import.meta.url).resolve('typescript/package.json');
    const tsVersion = (JSON.parse(readFileSync(tsPackage, 'utf8')) as { version: string }).version;
    identity = JSON.stringify([tsVersion, files]);
  }
  return identity;
}

function sizeAndMtime(file: string): [number, number] {
  try {
    const s = statSync(file);
    return [s.size, s.mtimeMs];
  } catch {
    return [-1, 0];
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
