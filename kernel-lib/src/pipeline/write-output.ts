/**
 * Writing a compiled pipeline so that a failure leaves no partial output. A new
 * output folder is built beside its place under a temporary name and renamed into
 * it. An existing one gets every changed file written to a temporary name first;
 * only when all of them are written do they replace the old files — unchanged files
 * are left alone (mtimes too, so recompiling is a no-op on disk), and `pipeline.json`
 * is replaced last, so a runner never sees it before the bundles it names.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PipelineOutputError } from './errors.js';

export interface PipelineOutput {
  /** `pipeline.json`'s content. */
  spec: string;
  /** File name in `steps/` → content (bundles and their source maps). */
  steps: Map<string, string>;
}

/** Writes `output` into `outDir`, removing bundles and maps of steps that no longer exist. */
export async function writePipelineOutput(outDir: string, output: PipelineOutput): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new PipelineOutputError(`output folder ${outDir} is a file, not a folder`);
  try {
    if (!info && (await writeNewFolder(outDir, output))) return;
    await updateFolder(outDir, output);
  } catch (e) {
    if (e instanceof PipelineOutputError) throw e;
    throw new PipelineOutputError(`cannot write the compiled pipeline to ${outDir}: ${describeFsError(e)}`, {
      cause: e,
    });
  }
}

/** Builds the folder under a temporary name, then renames it; false when another compile created it first. */
async function writeNewFolder(outDir: string, output: PipelineOutput): Promise<boolean> {
  const parent = path.dirname(outDir);
  const createdParent = await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(outDir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(path.join(tmp, 'steps'), { recursive: true });
    await Promise.all([...output.steps].map(([name, text]) => writeFile(path.join(tmp, 'steps', name), text)));
    await writeFile(path.join(tmp, 'pipeline.json'), output.spec);
    await rename(tmp, outDir);
    return true;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    if (createdParent) await rm(createdParent, { recursive: true, force: true });
    throw e;
  }
}

/** Stages every changed file, then swaps them in; on a failure the staged files are removed. */
async function updateFolder(outDir: string, output: PipelineOutput): Promise<void> {
  const stepsDir = path.join(outDir, 'steps');
  await mkdir(stepsDir, { recursive: true });
  const stale = (await readdir(stepsDir)).filter((f) => /\.mjs(\.map)?$/.test(f) && !output.steps.has(f));
  const wanted: [string, string][] = [
    ...[...output.steps].map(([name, text]): [string, string] => [path.join(stepsDir, name), text]),
    [path.join(outDir, 'pipeline.json'), output.spec],
  ];
  const staged: { tmp: string; file: string }[] = [];
  try {
    await Promise.all(
      wanted.map(async ([file, text]) => {
        if ((await readFile(file, 'utf8').catch(() => undefined)) === text) return;
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        staged.push({ tmp, file });
        await writeFile(tmp, text);
      }),
    );
  } catch (e) {
    await Promise.all(staged.map((s) => unlink(s.tmp).catch(() => undefined)));
    throw e;
  }
  const spec = staged.find((s) => s.file.endsWith(`${path.sep}pipeline.json`));
  // Each rename replaces one file atomically: a runner reading a bundle sees the old or the new one.
  await Promise.all([
    ...stale.map((f) => unlink(path.join(stepsDir, f))),
    ...staged.filter((s) => s !== spec).map((s) => rename(s.tmp, s.file)),
  ]);
  if (spec) await rename(spec.tmp, spec.file);
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `permission denied (${err.path ?? 'a folder on the way'})`;
  if (err.code === 'ENOTDIR' || err.code === 'EEXIST') return `a file stands where a folder should be (${err.path})`;
  if (err.code === 'ENOSPC') return 'the disk is full';
  if (err.code === 'ENAMETOOLONG') return `a file name is too long (${err.path})`;
  return err.message;
}
