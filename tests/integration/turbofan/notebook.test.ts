/**
 * The turbofan example end to end, in a throwaway copy next to the repository's
 * node_modules (tests/.out): top to bottom in the real tslab kernel (nbclient)
 * and as a compiled pipeline through `stillwater run`, on the simulator —
 * same metrics both ways — plus the tslab run on the real FD001 when present.
 * The bronze and silver tables it writes are checked as Delta tables with our
 * CLI and with pyarrow reading exactly the files the log references.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, freshOutDir, repoRoot, venvPython } from '../../helpers/paths.js';
import { describeWithShared, sharedPath } from '../../helpers/shared-data.js';
import { cellStdout, type ExecutedCell, runNotebookInTslab } from '../../helpers/tslab.js';

const run = promisify(execFile);

/** `stillwater run turbofan.ipynb --json …` in `dir` (home inside it); its run-finished event. */
async function stillwaterRun(dir: string, extra: string[]) {
  const { stdout } = await run(
    process.execPath,
    [cliPath, 'run', 'turbofan.ipynb', '--home', path.join(dir, 'home'), '--json', ...extra],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'run-finished');
}
const notebook = path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb');
const cmapss = sharedPath('cmapss');

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder inside the repository (so the kernel and steps resolve node_modules) with a copy of the notebook. */
function workspace(): string {
  const dir = freshOutDir('turbofan-');
  copyFileSync(notebook, path.join(dir, 'turbofan.ipynb'));
  workspaces.push(dir);
  return dir;
}

const cellSource = (c: ExecutedCell) => (Array.isArray(c.source) ? c.source.join('') : c.source);
const tagsOf = (c: ExecutedCell) => (c.metadata.tags as string[] | undefined) ?? [];

/** f1/auc/precision/recall as printed by the evaluate step. */
function printedMetrics(text: string): Record<string, number> {
  const m = /f1=([\d.]+) auc=([\d.]+) precision=([\d.]+) recall=([\d.]+)/.exec(text);
  if (!m) throw new Error(`no metrics line in:\n${text}`);
  return { f1: Number(m[1]), auc: Number(m[2]), precision: Number(m[3]), recall: Number(m[4]) };
}

function errorsOf(cells: ExecutedCell[]): string[] {
  return cells.flatMap((c) =>
    (c.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`),
  );
}

const ACTIVE_FILES_PY = `
import json, os, sys, pyarrow.parquet as pq, pyarrow as pa
root = sys.argv[1]
log = os.path.join(root, "_delta_log")
files = {}
for name in sorted(f for f in os.listdir(log) if f.endswith(".json")):
    for line in open(os.path.join(log, name)):
        a = json.loads(line)
        if "add" in a: files[a["add"]["path"]] = True
        if "remove" in a: files.pop(a["remove"]["path"], None)
t = pa.concat_tables([pq.read_table(os.path.join(root, p)) for p in files])
print(json.dumps({"rows": t.num_rows, "columns": t.column_names}))
`;

describe('examples/turbofan/turbofan.ipynb on the simulator', () => {
  let dir: string;
  let cells: ExecutedCell[];

  beforeAll(async () => {
    dir = workspace();
    cells = await runNotebookInTslab(path.join(dir, 'turbofan.ipynb'), {
      env: { STILLWATER_LAKEHOUSE_ROOT: path.join(dir, 'lakehouse-tslab'), STILLWATER_CMAPSS_DIR: '' },
    });
  }, 300_000);

  it('runs top to bottom in tslab with charts and tables displayed', () => {
    expect(errorsOf(cells)).toEqual([]);
    const rich = cells.flatMap((c) => (c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {})));
    expect(rich.filter((k) => k === 'image/svg+xml').length).toBe(5);
    expect(rich.filter((k) => k === 'text/html').length).toBe(2);
    const validateCell = cells.find((c) => tagsOf(c).includes('step:validate'))!;
    // The first batch passes against itself (it is the baseline's candidate): no anomaly lines to ignore.
    expect(cellStdout(validateCell)).toMatch(
      /^Validation of 'train' against 'baseline turbofan \(candidate\), span train': \d+ rows, 24 columns — no anomalies\nValidation of 'test' against 'baseline turbofan \(candidate\), span test': \d+ rows, 24 columns — no anomalies\n$/,
    );
  });

  it('reports the anomalies injected into a corrupted test batch', () => {
    const demo = cells.find((c) => cellSource(c).includes('const corrupted = new ArrowTable'))!;
    const report = cellStdout(demo);
    expect(report).toMatch(/^Validation of 'corrupted test' against 'silver\/test': \d+ rows, 46 columns/);
    expect(report).toMatch(/ERROR\s+s3\s+missing_column/);
    expect(report).toMatch(/ERROR\s+s4\s+out_of_range/);
    expect(report).toMatch(/ERROR\s+s4\s+drift\s+distribution drift: PSI/);
    expect(report).toMatch(/ERROR\s+s9\s+null_rate\s+null rate 20\.0% exceeds the allowed 1\.0%/);
  });

  it('gives the same metrics as the compiled pipeline run by `stillwater run`', async () => {
    const evaluate = cells.find((c) => tagsOf(c).includes('step:evaluate'))!;
    const inKernel = printedMetrics(cellStdout(evaluate));
    const finished = await stillwaterRun(dir, ['--no-cache']);
    expect(finished.status).toBe('done');
    console.log(`simulator: tslab ${JSON.stringify(inKernel)}; stillwater run ${JSON.stringify(finished.metrics)}`);
    for (const k of ['f1', 'auc', 'precision', 'recall']) expect(finished.metrics[k]).toBeCloseTo(inKernel[k]!, 4);
    expect(inKernel.auc).toBeGreaterThan(0.95);
  }, 300_000);

  it('writes bronze and silver Delta tables that our CLI describes and pyarrow reads', async () => {
    const lake = path.join(dir, 'lakehouse-tslab');
    const expected: Record<string, number> = {};
    for (const name of ['bronze/train', 'bronze/test', 'bronze/rul', 'silver/train', 'silver/test', 'gold/models']) {
      const table = path.join(lake, name);
      const { stdout } = await run(process.execPath, [cliPath, 'table', 'describe', table, '--json']);
      const d = JSON.parse(stdout);
      expect(d.version).toBeGreaterThanOrEqual(0);
      expect(d.numRows).toBeGreaterThan(0);
      expected[name] = d.numRows;
      const py = await run(venvPython, ['-c', ACTIVE_FILES_PY, table], { maxBuffer: 16 * 1024 * 1024 });
      const read = JSON.parse(py.stdout);
      expect(read.rows).toBe(d.numRows);
      expect(read.columns).toEqual(d.schema.fields.map((f: { name: string }) => f.name));
    }
    expect(expected['bronze/train']).toBe(expected['silver/train']);
    expect(expected['bronze/rul']).toBe(100);
  });
});

describeWithShared('cmapss/train_FD001.txt', 'turbofan notebook on the real FD001', () => {
  it('reaches F1 ≥ 0.74 and ROC-AUC ≥ 0.995 in tslab, and the same through stillwater run', async () => {
    const dir = workspace();
    const cells = await runNotebookInTslab(path.join(dir, 'turbofan.ipynb'), {
      env: { STILLWATER_LAKEHOUSE_ROOT: path.join(dir, 'lakehouse'), STILLWATER_CMAPSS_DIR: cmapss },
    });
    expect(errorsOf(cells)).toEqual([]);
    const ingest = cells.find((c) => tagsOf(c).includes('step:ingest'))!;
    expect(cellStdout(ingest)).toContain('ingested C-MAPSS FD001 in');
    const m = printedMetrics(cellStdout(cells.find((c) => tagsOf(c).includes('step:evaluate'))!));
    console.log(`FD001 in tslab: ${JSON.stringify(m)}`);
    expect(m.f1).toBeGreaterThanOrEqual(0.74);
    expect(m.auc).toBeGreaterThanOrEqual(0.995);

    // The compiled pipeline with DATA_DIR as a parameter gives the same numbers.
    const finished = await stillwaterRun(dir, ['--param', `DATA_DIR=${cmapss}`]);
    console.log(`FD001 via stillwater run: ${JSON.stringify(finished.metrics)}`);
    for (const k of ['f1', 'auc', 'precision', 'recall']) expect(finished.metrics[k]).toBeCloseTo(m[k]!, 4);
  }, 300_000);
});
