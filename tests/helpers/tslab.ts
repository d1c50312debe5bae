import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, venvPython } from './paths.js';

const run = promisify(execFile);

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
export interface ExecutedCell {
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: NotebookOutput[];
}

/**
 * Runs a notebook top to bottom in the real tslab kernel (nbclient, the test venv's
 * kernel spec) and returns the executed cells. `cwd` is where the kernel starts: it
 * must be inside the repository so `@stillwater/kernel` resolves from node_modules.
 * `python` and `jupyterPath` pick another environment and kernel spec (a user's project).
 */
export async function runNotebookInTslab(
  notebookPath: string,
  options: {
    cwd?: string;
    timeoutSeconds?: number;
    env?: NodeJS.ProcessEnv;
    python?: string;
    jupyterPath?: string;
  } = {},
): Promise<ExecutedCell[]> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'sw-nb-')), 'executed.ipynb');
  const cwd = options.cwd ?? path.dirname(notebookPath);
  await run(
    options.python ?? venvPython,
    [
      path.join(repoRoot, 'tests', 'helpers', 'run_notebook.py'),
      notebookPath,
      out,
      '--timeout',
      String(options.timeoutSeconds ?? 600),
      '--cwd',
      cwd,
    ],
    {
      cwd,
      env: {
        ...process.env,
        ...options.env,
        JUPYTER_PATH: options.jupyterPath ?? path.join(repoRoot, '.venv', 'share', 'jupyter'),
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(readFileSync(out, 'utf8')).cells as ExecutedCell[];
}

/** The concatenated stdout text of one executed cell. */
export function cellStdout(cell: ExecutedCell): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
    .join('');
}
