/**
 * A step execution's lineage as the history records it (issue 16 item 1): the table
 * versions its code read and committed — from its read trace (the runtime hears both on
 * the lakehouse's access channel) — and the run artifacts it left, hashed. Computed when
 * the run is recorded, so the runner's step loop needs nothing new.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StepExecutionRecord, StepLineage } from './records.js';
import { runWorkDir, stepWorkDir } from './safe-paths.js';

/** The lineage of `record`, or null when the step did not execute in its run. */
export async function stepLineage(record: StepExecutionRecord, runArtifacts: string): Promise<StepLineage | null> {
  if (record.cacheHit || record.startedAt === null || (record.status !== 'done' && record.status !== 'failed')) {
    return null;
  }
  const tables = record.tracedInputs?.lineage;
  return {
    tablesRead: tables?.read ?? [],
    tablesWritten: tables?.wrote ?? [],
    runArtifacts: await hashedFiles(stepWorkDir(runWorkDir(runArtifacts, record.runId), record.step)),
  };
}

/** Every file under `dir` (relative, sorted) with its sha256; none when the folder is missing. */
async function hashedFiles(dir: string): Promise<StepLineage['runArtifacts']> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  } catch {
    return [];
  }
  const files = await Promise.all(
    names.sort().map(async (name) => ({
      path: name.split(path.sep).join('/'),
      sha256: createHash('sha256')
        .update(await readFile(path.join(dir, name)))
        .digest('hex'),
    })),
  );
  return files;
}
