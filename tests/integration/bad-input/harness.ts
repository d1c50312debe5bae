/**
 * The bad-input corpus' machinery: each case prepares its inputs in a fresh folder,
 * runs the real CLI there, and is judged on what a user would see — a non-zero exit,
 * one clear line naming the input, no stack trace — and on what it left behind: no
 * file or table outside the run's folder (`.stillwater/`) may change.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Area = 'table' | 'compile' | 'run' | 'param';

export interface CaseContext {
  /** The case's own folder, the CLI's working directory (`.stillwater/` inside is the run's folder). */
  dir: string;
  /** A copy of the template table (versions 0..2; columns id, name, score, d, ts); returns its path. */
  table(name?: string): string;
  /** A copy of the template pipeline folder (notebook + compiled `nb.pipeline/`); returns the compiled folder. */
  pipeline(): string;
  /** Writes a file in the case folder; returns its path. */
  file(name: string, content: string | Uint8Array): string;
  /** Writes a notebook (`cells` and, optionally, other top-level fields) as JSON; returns its path. */
  notebook(name: string, cells: unknown, extra?: Record<string, unknown>): string;
}

export interface BadInputCase {
  area: Area;
  name: string;
  /** Issue 12's item number, for the cases the issue lists. */
  item?: number;
  /** Prepares the inputs and returns the CLI arguments (after `stillwater`). */
  setup(c: CaseContext): string[];
  /** What the error line must say: it names the file, cell, column, step or parameter. */
  names: RegExp;
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Paths (relative to the case folder) added, removed or changed outside `.stillwater/`. */
  changed: string[];
  ms: number;
}

/** A step's code cell, as the notebooks of the corpus write it. */
export const cell = (tags: string[], source: string | unknown) => ({
  cell_type: 'code',
  execution_count: null,
  id: `c${Math.random().toString(36).slice(2, 10)}`,
  metadata: { tags },
  outputs: [],
  source,
});

export const TSLAB = {
  metadata: { kernelspec: { name: 'tslab', language: 'typescript', display_name: 'TypeScript' } },
  nbformat: 4,
  nbformat_minor: 5,
};

export function caseContext(dir: string, templates: { table: string; pipeline: string }): CaseContext {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, content: string | Uint8Array) => {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  };
  return {
    dir,
    table(name = 't') {
      const p = path.join(dir, name);
      cpSync(templates.table, p, { recursive: true, preserveTimestamps: true });
      return p;
    },
    pipeline() {
      cpSync(templates.pipeline, path.join(dir, 'pipe'), { recursive: true, preserveTimestamps: true });
      return path.join(dir, 'pipe', 'nb.pipeline');
    },
    file: write,
    notebook: (name, cells, extra = TSLAB) => write(name, JSON.stringify({ ...extra, cells })),
  };
}

/** Every entry under `dir` except the run's folder: path → kind, size and content hash. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      if (child === '.stillwater') continue;
      const st = lstatSync(path.join(dir, child));
      if (st.isDirectory()) {
        out.set(`${child}/`, 'dir');
        walk(child);
      } else {
        const hash = st.isFile()
          ? createHash('sha1')
              .update(readFileSync(path.join(dir, child)))
              .digest('hex')
          : '';
        out.set(child, `${st.size}:${hash}`);
      }
    }
  };
  walk('');
  return out;
}

export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [p, v] of before) if (after.get(p) !== v) changed.push(after.has(p) ? `changed ${p}` : `removed ${p}`);
  for (const p of after.keys()) if (!before.has(p)) changed.push(`added ${p}`);
  return changed.sort();
}

/** Runs `node <cli> …args` in `dir`, snapshotting the folder before and after. */
export function runCase(cli: string, dir: string, args: string[], timeoutMs = 60_000): Promise<Outcome> {
  const before = snapshotTree(dir);
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd: dir,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, STILLWATER_HOME: path.join(dir, '.stillwater'), STILLWATER_DEBUG: '' },
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number | string }).code ?? null) : 0;
        resolve({
          code: typeof code === 'number' ? code : null,
          stdout,
          stderr,
          changed: treeChanges(before, snapshotTree(dir)),
          ms: Math.round(performance.now() - started),
        });
      },
    );
  });
}

/** A stack frame, a raw JavaScript error, or a raw system error: what a user must never see. */
const STACK = /^\s+at .+[(:]\d+|node:internal|^\s*\^+\s*$/m;
const RAW_JS_ERROR = /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|\b(Error): [A-Z]{2,}:|\bE[A-Z]{3,}: /;
/** The lines a failing command may print besides its error: compiler warnings. */
const ALLOWED_EXTRA = /^warning: /;
/** An error line: the CLI's (`stillwater: Type: …`), commander's or the compiler's (`error: …`). */
const ERROR_LINE = /^(stillwater: [A-Za-z]+Error: |error: )/;

/** Why an outcome is not a clear refusal ([] when it is). */
export function judge(c: BadInputCase, o: Outcome): string[] {
  const problems: string[] = [];
  if (o.code === 0) problems.push('exit code 0');
  if (o.code === null) problems.push('killed or timed out');
  const lines = o.stderr.split('\n').filter((l) => l.trim() !== '' && !ALLOWED_EXTRA.test(l));
  const errors = lines.filter((l) => ERROR_LINE.test(l));
  if (lines.length !== 1 || errors.length !== 1) problems.push(`expected one error line, got ${lines.length}`);
  const line = errors[0] ?? lines[0] ?? '';
  if (!c.names.test(line)) problems.push(`the error does not name the input (${c.names})`);
  if (STACK.test(o.stderr) || STACK.test(o.stdout)) problems.push('stack trace');
  if (RAW_JS_ERROR.test(line)) problems.push('raw JavaScript or system error');
  if (o.changed.length) problems.push(`left changes: ${o.changed.slice(0, 5).join(', ')}`);
  return problems;
}

/** Runs `jobs` with at most `limit` at a time. */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}
