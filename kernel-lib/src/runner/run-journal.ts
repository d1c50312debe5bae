/**
 * The journal of a run in progress: `<home>/journal/<runId>.jsonl`, one JSON object
 * per line — the run as it started and its owner first, then each step execution as
 * it ends, then the final record just before the run goes into the Delta history.
 * The run history tables only learn of a run when it finishes; the journal is what
 * survives a runner killed outright, so `runs list` can show the run `interrupted`
 * and `--resume` can continue it from the steps it finished (active-runs.ts).
 *
 * Appends are single small synchronous writes: a SIGKILL can end the process between
 * two lines but not tear one, and the page cache keeps every line written (a power
 * loss is not this file's business). A line that does not parse is skipped.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { RunRecord, StepExecutionRecord } from './records.js';
import { LEASE_RENEW_MS, type RunOwner, currentOwner } from './run-owner.js';
import { pathUnder } from './safe-paths.js';

/** The run as it started: a run record without what only its end knows. */
export type RunStart = Omit<RunRecord, 'status' | 'endedAt' | 'durationMs' | 'metrics' | 'error'>;

type JournalLine =
  | { kind: 'start'; owner: RunOwner; run: RunStart }
  | { kind: 'step'; step: StepExecutionRecord }
  | { kind: 'end'; run: RunRecord };

/** A journal as read back. */
export interface JournalView {
  file: string;
  owner: RunOwner;
  start: RunStart;
  /** Step executions in the order they ended (a later line for the same step wins). */
  steps: StepExecutionRecord[];
  /** The final record, when the run got as far as recording itself. */
  end?: RunRecord;
  /** When the owner last renewed its lease or wrote a line (the file's mtime, epoch ms). */
  renewedAt: number;
}

const journalFile = (dir: string, runId: string) => pathUnder(dir, [`${runId}.jsonl`], 'run id');

/** The journal a running run writes. */
export class RunJournal {
  private readonly renew: NodeJS.Timeout;

  private constructor(readonly file: string) {
    // Renewing the lease only matters to an observer on another machine (run-owner.ts).
    this.renew = setInterval(() => {
      const now = new Date();
      utimes(this.file, now, now).catch(() => {});
    }, LEASE_RENEW_MS);
    this.renew.unref();
  }

  /** Creates the journal of a run that is starting (refuses an existing one). */
  static async start(dir: string, run: RunStart): Promise<RunJournal> {
    const file = journalFile(dir, run.runId);
    await mkdir(dir, { recursive: true });
    const line: JournalLine = { kind: 'start', owner: currentOwner(), run };
    writeFileSync(file, `${JSON.stringify(line)}\n`, { flag: 'wx' });
    return new RunJournal(file);
  }

  /** A step execution that has ended (any final status). */
  step(step: StepExecutionRecord): void {
    this.append({ kind: 'step', step });
  }

  /** The run's final record, about to be written to the history. */
  end(run: RunRecord): void {
    this.append({ kind: 'end', run });
  }

  /** Stops renewing the lease; the journal stays (the run could not be recorded). */
  stop(): void {
    clearInterval(this.renew);
  }

  /** The run is in the history: the journal has served. */
  async remove(): Promise<void> {
    this.stop();
    await rm(this.file, { force: true });
  }

  private append(line: JournalLine): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}

/** Reads a journal; undefined when it is gone or has no start line. */
export async function readJournal(file: string): Promise<JournalView | undefined> {
  let text: string;
  let renewedAt: number;
  try {
    [text, renewedAt] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mtimeMs)]);
  } catch {
    return undefined;
  }
  let view: JournalView | undefined;
  const steps = new Map<string, StepExecutionRecord>();
  for (const raw of text.split('\n')) {
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      continue;
    }
    if (line.kind === 'start') view = { file, owner: line.owner, start: line.run, steps: [], renewedAt };
    else if (line.kind === 'step') steps.set(line.step.step, line.step);
    else if (line.kind === 'end' && view) view.end = line.run;
  }
  if (view) view.steps = [...steps.values()];
  return view;
}

/** The journal of `runId`, if there is one (a run id that is no file name has none). */
export async function journalOf(dir: string, runId: string): Promise<JournalView | undefined> {
  let file: string;
  try {
    file = journalFile(dir, runId);
  } catch {
    return undefined;
  }
  return readJournal(file);
}

/** Every journal in `dir`. */
export async function listJournals(dir: string): Promise<JournalView[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const views = await Promise.all(names.filter((n) => n.endsWith('.jsonl')).map((n) => readJournal(path.join(dir, n))));
  return views.filter((v): v is JournalView => v !== undefined);
}
