/**
 * Tracing what a step's code reads (`--trace-reads`, STEP-CONTRACT.md "Traced
 * reads"), so a caching runner reuses the step's results only while those inputs
 * are unchanged. While the notebook code runs:
 * - files: the `fs` calls that open a file for reading — `readFile`/`open`/
 *   `copyFile` (callback, sync and `fs/promises`) and `createReadStream` — and
 *   directory listings (`readdir`), by wrapping them on the `fs` module objects
 *   (`syncBuiltinESMExports` carries the wrappers into ES module imports);
 * - Delta tables: the versions the lakehouse reports reading or committing on its
 *   diagnostics channel (lakehouse/access-events.ts);
 * - environment variables read by name from `process.env`.
 * Reads in worker threads and in child processes are not seen. What is recorded
 * is filtered and hashed when the step ends (read-trace-collect.ts).
 */
import fs from 'node:fs';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FileIdentity, identityOf } from './read-trace-collect.js';
import type { TracedTable } from './trace-format.js';
import { RUN_CONTEXT_NAMES } from './run-context.js';

/** lakehouse/access-events.ts (not imported: the runtime must not load the lakehouse). */
const TABLE_ACCESS_CHANNEL = 'stillwater:delta-table-access';
interface TableAccess {
  table: string;
  version: number;
  kind: 'read' | 'commit';
  timeTravel: boolean;
}

export type ReadKind = 'file' | 'dir';

/** What the trace saw: each path with its identity when first read. */
export interface RecordedReads {
  reads: Map<string, { kind: ReadKind; at: FileIdentity }>;
  tables: Map<string, TracedTable>;
  env: Map<string, string | undefined>;
  /** Lineage: every version of each table the code read, and every version it committed, in order. */
  versions: { read: Map<string, Set<number>>; wrote: Map<string, number[]> };
}

type AnyFn = (...args: unknown[]) => unknown;

export class ReadTrace {
  readonly recorded: RecordedReads = {
    reads: new Map(),
    tables: new Map(),
    env: new Map(),
    versions: { read: new Map(), wrote: new Map() },
  };
  private readonly undo: Array<() => void> = [];
  private active = false;

  /** Starts recording; `stop` restores every wrapped function. */
  start(): void {
    if (this.active) return;
    this.active = true;
    const file = (p: unknown) => this.read(p, 'file');
    const dir = (p: unknown) => this.read(p, 'dir');
    const openFile = (p: unknown, flags: unknown) => {
      if (opensForReading(flags)) this.read(p, 'file');
    };
    this.wrap(fs, 'readFileSync', file);
    this.wrap(fs, 'readFile', file);
    this.wrap(fs, 'openSync', openFile);
    this.wrap(fs, 'open', openFile);
    this.wrap(fs, 'copyFileSync', file);
    this.wrap(fs, 'copyFile', file);
    this.wrap(fs, 'createReadStream', (p, o) => {
      if (!(o && typeof o === 'object' && 'fd' in o && o.fd != null)) this.read(p, 'file');
    });
    this.wrap(fs, 'readdirSync', dir);
    this.wrap(fs, 'readdir', dir);
    this.wrap(fs.promises, 'readFile', file);
    this.wrap(fs.promises, 'open', openFile);
    this.wrap(fs.promises, 'copyFile', file);
    this.wrap(fs.promises, 'readdir', dir);
    syncBuiltinESMExports();

    const onAccess = (message: unknown) => this.table(message as TableAccess);
    subscribe(TABLE_ACCESS_CHANNEL, onAccess);
    this.undo.push(() => unsubscribe(TABLE_ACCESS_CHANNEL, onAccess));

    const realEnv = process.env;
    process.env = tracedEnv(realEnv, (name) => {
      if (this.active && !this.recorded.env.has(name) && !RUN_CONTEXT_NAMES.has(name)) {
        this.recorded.env.set(name, realEnv[name]);
      }
    });
    this.undo.push(() => {
      process.env = realEnv;
    });
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    for (const u of this.undo.splice(0).reverse()) u();
    syncBuiltinESMExports();
  }

  /** Replaces `obj[name]` by a function that first reports its arguments. */
  private wrap(obj: object, name: string, onCall: (...args: unknown[]) => void): void {
    const target = obj as Record<string, AnyFn>;
    const original = target[name]!;
    const trace = this;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      if (trace.active) {
        try {
          onCall(...args);
        } catch {
          // Tracing must never change what the call does.
        }
      }
      return original.apply(this, args);
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    // `fs.readFile[util.promisify.custom]` and friends stay reachable.
    Object.setPrototypeOf(wrapped, original);
    target[name] = wrapped;
    this.undo.push(() => {
      target[name] = original;
    });
  }

  private read(p: unknown, kind: ReadKind): void {
    const abs = toPath(p);
    if (abs === undefined || this.recorded.reads.has(abs) || abs.split(path.sep).includes('node_modules')) return;
    const at = identityOf(abs);
    // A path that does not exist (yet) was not read; `kind` must match what is there.
    if (at && (kind === 'dir' ? at.isDir : !at.isDir)) this.recorded.reads.set(abs, { kind, at });
  }

  private table(a: TableAccess): void {
    if (!this.active || typeof a?.table !== 'string' || !path.isAbsolute(a.table)) return;
    const { read, wrote } = this.recorded.versions;
    if (a.kind === 'commit') wrote.set(a.table, [...(wrote.get(a.table) ?? []), a.version]);
    else read.set(a.table, (read.get(a.table) ?? new Set()).add(a.version));
    const seen = this.recorded.tables.get(a.table);
    const timeTravel = a.kind === 'read' && a.timeTravel;
    // The latest version the step saw or made counts; a time-travel read only needs its version to exist.
    if (!seen || (seen.timeTravel && !timeTravel)) {
      this.recorded.tables.set(a.table, { path: a.table, version: a.version, timeTravel });
    } else if (seen.timeTravel === timeTravel && a.version > seen.version) {
      seen.version = a.version;
    }
  }
}

/** `fs` flags that let the caller read the file's existing content (not `w…`, which truncates). */
function opensForReading(flags: unknown): boolean {
  if (flags === undefined || flags === null) return true;
  if (typeof flags === 'string') return !flags.startsWith('w') && (flags.startsWith('r') || flags.includes('+'));
  if (typeof flags === 'number') {
    const { O_WRONLY, O_TRUNC, O_ACCMODE } = fs.constants as Record<string, number>;
    return (flags & (O_ACCMODE ?? 3)) !== O_WRONLY && (flags & O_TRUNC!) === 0;
  }
  return true;
}

/** The absolute path a call names; undefined for file descriptors and handles. */
function toPath(p: unknown): string | undefined {
  if (typeof p === 'string') return path.resolve(p);
  if (Buffer.isBuffer(p)) return path.resolve(p.toString());
  if (p instanceof URL) return p.protocol === 'file:' ? fileURLToPath(p) : undefined;
  return undefined;
}

/**
 * `process.env` that reports each variable read by name. Enumerating it (a spread,
 * `Object.keys`, spawning a child with the whole environment) reads every
 * variable in the same synchronous run; those reads are not the code asking for
 * a variable, so they are not reported.
 */
function tracedEnv(env: NodeJS.ProcessEnv, onRead: (name: string) => void): NodeJS.ProcessEnv {
  let enumerating = false;
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string' && !enumerating) onRead(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === 'string' && !enumerating) onRead(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      if (!enumerating) {
        enumerating = true;
        queueMicrotask(() => {
          enumerating = false;
        });
      }
      return Reflect.ownKeys(target);
    },
  });
}
