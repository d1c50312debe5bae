/**
 * "Reuse an up-to-date compile": `stillwater run nb.ipynb` compiles only when
 * the notebook — or a file its bundles were built from (local modules, the
 * step runtime, as listed by the bundles' source maps), or the compiler's own
 * modules (an upgraded kernel compiles differently) — changed since the last
 * compile, or the compiled output was touched. The stamp lives in the
 * Stillwater home, keyed by output folder, so the compiler's folder holds only
 * the compiler's files.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from '../pipeline/out-dir.js';

interface Stamp {
  notebook: string;
  /** Absolute path → sha256 of every input the compile depended on, and of pipeline.json. */
  files: Record<string, string>;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

async function hashOrNull(file: string): Promise<string | null> {
  try {
    return sha256(await readFile(file));
  } catch {
    return null;
  }
}

/** Where the compiler's modules are (built `.js`, or `.ts` sources under tests). */
const COMPILER_DIR = fileURLToPath(new URL('../pipeline/', import.meta.url));

/** The compiler's own modules, one folder (the runtime beneath it is in the maps' sources). */
async function compilerModules(compilerDir: string): Promise<string[]> {
  const names = await readdir(compilerDir).catch(() => [] as string[]);
  return names.filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith('.d.ts')).map((n) => path.join(compilerDir, n));
}

/** The files a compiled folder was built from: the notebook, pipeline.json, the compiler, non-cell sources of every map. */
async function inputsOf(notebook: string, outDir: string, compilerDir: string): Promise<string[]> {
  const files = new Set([notebook, path.join(outDir, 'pipeline.json'), ...(await compilerModules(compilerDir))]);
  const stepsDir = path.join(outDir, 'steps');
  const maps = (await readdir(stepsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.mjs.map'));
  for (const m of maps) {
    files.add(path.join(stepsDir, m));
    files.add(path.join(stepsDir, m.replace(/\.map$/, '')));
    const map = JSON.parse(await readFile(path.join(stepsDir, m), 'utf8')) as { sources?: string[] };
    for (const s of map.sources ?? []) {
      if (/\.ipynb\/cell-\d+$/.test(s)) continue;
      files.add(path.resolve(stepsDir, s));
    }
  }
  return [...files].sort();
}

async function snapshot(notebook: string, outDir: string, compilerDir: string): Promise<Stamp> {
  const files: Record<string, string> = {};
  for (const f of await inputsOf(notebook, outDir, compilerDir)) files[f] = (await hashOrNull(f)) ?? 'missing';
  return { notebook, files };
}

export interface CompiledNotebook {
  dir: string;
  /** False when an up-to-date compile was reused. */
  compiled: boolean;
}

interface StampOptions {
  /** For tests: the folder whose modules count as the compiler. */
  compilerDir?: string;
}

const stampFileOf = (home: string, outDir: string) => path.join(home, 'compiled', `${sha256(outDir)}.json`);

/** The compiled folder for `notebook` if the last compile is still up to date, else undefined. */
export async function upToDateCompile(
  notebook: string,
  home: string,
  { compilerDir = COMPILER_DIR }: StampOptions = {},
): Promise<string | undefined> {
  const abs = path.resolve(notebook);
  const outDir = defaultOutDir(abs);
  const previous = await readFile(stampFileOf(home, outDir), 'utf8')
    .then((t) => JSON.parse(t) as Stamp)
    .catch(() => undefined);
  if (!previous || previous.notebook !== abs) return undefined;
  const now = await snapshot(abs, outDir, compilerDir);
  const same =
    Object.keys(now.files).length === Object.keys(previous.files).length &&
    Object.entries(now.files).every(([f, h]) => h !== 'missing' && previous.files[f] === h);
  return same ? outDir : undefined;
}

/** The compiled folder for `notebook`, compiling first unless the last compile is still up to date. */
export async function ensureCompiled(
  notebook: string,
  home: string,
  options: StampOptions = {},
): Promise<CompiledNotebook> {
  const reusable = await upToDateCompile(notebook, home, options);
  if (reusable) return { dir: reusable, compiled: false };
  const abs = path.resolve(notebook);
  const outDir = defaultOutDir(abs);
  // Imported here: running an up-to-date compile should not load the compiler (tests/bench/runner, section 4).
  const { compileNotebook } = await import('../pipeline/compile.js');
  await compileNotebook(abs, { outDir });
  const stampFile = stampFileOf(home, outDir);
  await mkdir(path.dirname(stampFile), { recursive: true });
  await writeFile(stampFile, JSON.stringify(await snapshot(abs, outDir, options.compilerDir ?? COMPILER_DIR)));
  return { dir: outDir, compiled: true };
}
