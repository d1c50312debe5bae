// Bench-only instrumentation for tests/bench/pipeline/bench.mjs, loaded into step processes with
// `NODE_OPTIONS=--import=<this file>` (the runner passes its environment on to every step). The
// product is not changed: the bench runs a copy of the compiled pipeline folder whose bundles differ
// from the compiler's output only in their one top-level call — `await runStep(meta, url, body)`
// becomes `await globalThis.__swBenchRunStep(runStep, meta, url, body)` on the same line — and this
// file defines that function: it wraps `body` (the step's cells, preceded by its `__sw.input(...)`
// reads) with `performance.now()` marks. No module hooks, so no extra thread in the step process.
//
// Records, per step process, in ms since `performance.timeOrigin` (≈ process start; recorded as
// `timeOrigin`, epoch ms, so the bench can line these up with the runner's events):
//   preloadAt  — this preload evaluated (Node boot);
//   argsAt     — the runtime has its command line (`stillwater:step-args` mark): for a step the
//                runner launched ahead of its turn, when the arguments arrived on stdin;
//   bodyStart  — the generated body starts (static imports loaded, bundle evaluated, args parsed);
//   inputMs    — time spent inside `__sw.input()` (reading + deserialising the step's inputs);
//   bodyEnd    — the body returned (cells done; outputs not yet serialised);
//   exit       — `process.exit` (outputs and metrics written).
// Cell-code time = bodyEnd − bodyStart − inputMs. The record goes to $SW_BENCH_STEP_TIMES/<pid>.json.
// Processes other than `node …/steps/<name>.mjs` (the CLI itself) and worker threads do nothing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

const preloadAt = performance.now();
const outDir = process.env.SW_BENCH_STEP_TIMES;
const script = process.argv[1] ?? '';

if (outDir && isMainThread && /[\\/]steps[\\/][^\\/]+\.mjs$/.test(script)) {
  const rec = {
    script,
    pid: process.pid,
    step: null,
    timeOrigin: performance.timeOrigin,
    preloadAt,
    argsAt: null,
    bodyStart: null,
    inputMs: 0,
    bodyEnd: null,
    exit: null,
  };
  globalThis.__swBenchRunStep = (runStep, meta, url, body, ...rest) =>
    runStep(
      meta,
      url,
      async (ctx) => {
        rec.step = meta.step;
        rec.bodyStart = performance.now();
        rec.argsAt = performance.getEntriesByName('stillwater:step-args')[0]?.startTime ?? null;
        const timed = {
          ...ctx,
          input: async (name) => {
            const t = performance.now();
            try {
              return await ctx.input(name);
            } finally {
              rec.inputMs += performance.now() - t;
            }
          },
        };
        const result = await body(timed);
        rec.bodyEnd = performance.now();
        return result;
      },
      ...rest,
    );
  process.on('exit', (code) => {
    rec.exit = performance.now();
    rec.code = code;
    writeFileSync(path.join(outDir, `${process.pid}.json`), JSON.stringify(rec));
  });
}
