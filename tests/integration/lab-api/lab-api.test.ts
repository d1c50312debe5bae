/**
 * `@stillwater/kernel/lab-api`, what the JupyterLab extension's one-line snippet calls in
 * the notebook's kernel: real compiles and runs of a small notebook, answers read back
 * exactly as the extension reads them (MIME type + JSON text).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  CompileOutcome,
  HistoryOutcome,
  LabRequest,
  RunEvent,
  RunFinishedEvent,
  RunRequest,
} from '../../../kernel-lib/src/contracts/index.js';
import { handleLabRequest, RESULT_MIME, RUN_EVENT_MIME } from '../../../kernel-lib/src/lab-api/index.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';

const cells = (sleepMs = 0) => [
  code(['pipeline-parameters'], 'const N = 4;'),
  code(['step:load', 'kind:ingest'], 'const values: number[] = Array.from({ length: N }, (_, i) => i + 1);'),
  code(
    ['step:total', 'prev:load'],
    `${sleepMs > 0 ? `await new Promise((r) => setTimeout(r, ${sleepMs}));\n` : ''}const total: number = values.reduce((a, b) => a + b, 0);`,
  ),
  code(['pipeline-metrics'], 'total'),
];

/** Sends a request; returns what the kernel displayed, decoded. */
async function ask(req: LabRequest, cwd: string) {
  const shown: { mime: string; value: unknown }[] = [];
  await handleLabRequest(req, { raw: (mime, data) => shown.push({ mime, value: JSON.parse(data) }) }, cwd);
  return {
    outcomes: shown.filter((s) => s.mime === RESULT_MIME).map((s) => s.value),
    events: shown.filter((s) => s.mime === RUN_EVENT_MIME).map((s) => s.value as RunEvent),
  };
}

const runRequest = (nb: string, extra: Partial<RunRequest> = {}): RunRequest => ({
  kind: 'run',
  notebookFile: path.basename(nb),
  notebook: JSON.parse(readFileSync(nb, 'utf8')),
  dirty: false,
  params: {},
  concurrency: 0,
  cache: true,
  lakehouseRoot: '',
  cancelFile: 'cancel-test',
  ...extra,
});

const finished = (events: RunEvent[]) => events.at(-1) as RunFinishedEvent;

describe('lab API (the extension’s kernel requests)', () => {
  it('compiles the notebook as shown (an unsaved edit, from a snapshot that is removed) and reports compile errors as diagnostics', async () => {
    const { dir, nb } = writeNotebook('labcompile', cells());
    const onDisk = readFileSync(nb, 'utf8');
    const edited = JSON.parse(onDisk);
    edited.cells[2].metadata.tags = ['step:sum', 'prev:load'];
    const { outcomes } = await ask(
      { kind: 'compile', notebookFile: 'labcompile.ipynb', notebook: edited, dirty: true },
      dir,
    );
    const ok = outcomes[0] as CompileOutcome;
    expect(ok).toMatchObject({ kind: 'compile', ok: true, dir: path.join(dir, 'labcompile.pipeline') });
    const spec = JSON.parse(readFileSync(path.join(ok.dir, 'pipeline.json'), 'utf8'));
    expect(spec.steps.map((s: { name: string }) => s.name).sort()).toEqual(['load', 'sum']);
    // Named and hashed as the notebook, not the snapshot: its runs stay one pipeline in the
    // history, and saving the notebook keeps every step's hash (its cache key).
    expect(spec.name).toBe('labcompile');
    expect(spec.notebook).toBe('../labcompile.ipynb');
    expect(readFileSync(nb, 'utf8')).toBe(onDisk);
    expect(readdirSync(dir).filter((f) => f.includes('snapshot'))).toEqual([]);
    // The user saves: the same pipeline, hash for hash.
    writeFileSync(nb, JSON.stringify(edited));
    await ask({ kind: 'compile', notebookFile: 'labcompile.ipynb', notebook: edited, dirty: false }, dir);
    const saved = JSON.parse(readFileSync(path.join(ok.dir, 'pipeline.json'), 'utf8'));
    expect(saved.steps.map((s: { hash: string }) => s.hash)).toEqual(spec.steps.map((s: { hash: string }) => s.hash));
    expect(saved.hash).toBe(spec.hash);
    writeFileSync(nb, onDisk);

    edited.cells[2].metadata.tags = ['step:sum', 'prev:nowhere'];
    const bad = (await ask({ kind: 'compile', notebookFile: 'labcompile.ipynb', notebook: edited, dirty: true }, dir))
      .outcomes[0] as CompileOutcome;
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.find((d) => d.severity === 'error')).toMatchObject({ code: 'undefined-prev', cell: 2 });
  });

  it('runs with parameters, re-runs with an earlier run’s parameters, and lists runs filtered as `stillwater runs` does', async () => {
    const { dir, nb } = writeNotebook('labrun', cells());
    const first = await ask(runRequest(nb), dir);
    expect((first.outcomes[0] as CompileOutcome).ok).toBe(true);
    expect(first.events[0]!.type).toBe('run-started');
    expect(finished(first.events)).toMatchObject({ status: 'done', metrics: { total: 10 } });

    const second = await ask(runRequest(nb, { params: { N: '6' } }), dir);
    expect(finished(second.events)).toMatchObject({ status: 'done', metrics: { total: 21 } });

    const again = await ask(runRequest(nb, { paramsFrom: first.events[0]!.runId, cache: false }), dir);
    expect(finished(again.events)).toMatchObject({ status: 'done', metrics: { total: 10 } });
    const started = again.events[0] as Extract<RunEvent, { type: 'run-started' }>;
    expect(started.params).toEqual({ N: 4 });

    const all = (await ask({ kind: 'history', runIds: [second.events[0]!.runId] }, dir)).outcomes[0] as HistoryOutcome;
    expect(all.home).toBe(path.join(dir, '.stillwater'));
    expect(all.runs.map((r) => r.runId)).toEqual([again, second, first].map((r) => r.events[0]!.runId));
    expect(all.steps[second.events[0]!.runId]!.map((s) => s.step).sort()).toEqual(['load', 'total']);

    const sixes = (await ask({ kind: 'history', runIds: [], filter: { params: { N: '6' }, status: ['done'] } }, dir))
      .outcomes[0] as HistoryOutcome;
    expect(sixes.runs.map((r) => r.runId)).toEqual([second.events[0]!.runId]);
    const failed = (await ask({ kind: 'history', runIds: [], filter: { status: ['failed'] } }, dir))
      .outcomes[0] as HistoryOutcome;
    expect(failed.runs).toEqual([]);
  });

  it('a run whose cancel file appears ends cancelled, and the file is removed', async () => {
    const { dir, nb } = writeNotebook('labcancel', cells(20_000));
    const pipelineDir = path.join(dir, 'labcancel.pipeline');
    const cancelFile = path.join(pipelineDir, 'cancel-test');
    const timer = setInterval(() => {
      if (existsSync(path.join(pipelineDir, 'pipeline.json'))) {
        writeFileSync(cancelFile, 'cancel\n');
        clearInterval(timer);
      }
    }, 500);
    const t0 = Date.now();
    const { events } = await ask(runRequest(nb), dir);
    clearInterval(timer);
    expect(finished(events).status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(existsSync(cancelFile)).toBe(false);
  });
});
