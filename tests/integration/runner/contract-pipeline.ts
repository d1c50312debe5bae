/**
 * Builds small pipelines by hand that follow the step entry contract
 * (kernel-lib/src/pipeline/STEP-CONTRACT.md): `pipeline.json` plus one
 * `steps/<name>.mjs` per step. They let the runner's failure, retry, timeout and
 * cache behaviour be tested precisely, independent of the compiler.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineParameter, PipelineSpec, PipelineStep } from '../../../kernel-lib/src/pipeline/spec.js';

export interface HandStep {
  name: string;
  deps?: string[];
  /** Inputs as `name` (from the step of the same first dep) or `{name, from}`. */
  inputs?: { name: string; from: string }[];
  outputs?: string[];
  parameters?: string[];
  metrics?: string[];
  cache?: boolean;
  retries?: number;
  timeoutSeconds?: number | null;
  /** `limit:cpu:N` / `limit:memory:QTY`. */
  limits?: { cpu?: string; memory?: string };
  /**
   * Body of `async function (inputs, params) { … }` returning `{outputs, metrics}`.
   * It runs in the step process; it may throw, exit, or kill itself.
   */
  body: string;
  /** Notebook cell the body pretends to come from, for error mapping. */
  cell?: number;
}

const RUNTIME = String.raw`
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
const args = process.argv.slice(2);
const ins = {}, outs = {}, params = {};
let metricsPath, tracePath;
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  const eq = value.indexOf('=');
  if (flag === '--in') ins[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--out') outs[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--param') params[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--metrics') metricsPath = value;
  else if (flag === '--trace-reads') tracePath = value;
}
const inputs = {};
for (const [n, p] of Object.entries(ins)) inputs[n] = v8.deserialize(readFileSync(p));
try {
  const r = (await body(inputs, params)) ?? {};
  for (const [n, p] of Object.entries(outs)) {
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p + '.tmp', v8.serialize(r.outputs?.[n]));
    renameSync(p + '.tmp', p);
  }
  if (metricsPath) writeFileSync(metricsPath, JSON.stringify(r.metrics ?? {}));
  // It reads nothing besides its inputs (STEP-CONTRACT.md, "Traced reads").
  if (tracePath) writeFileSync(tracePath, JSON.stringify({ files: [], tables: [], env: {} }));
} catch (e) {
  const line = Number((e.stack ?? '').match(/\.mjs:(\d+)/)?.[1] ?? 0) - BODY_START + 1;
  process.stderr.write('stillwater: step "' + STEP + '" failed at cell ' + CELL + ', line ' + line + ': ' + e + '\n');
  process.stderr.write(JSON.stringify({ stillwaterError: { step: STEP, phase: 'run', name: e.name, message: e.message, cell: CELL, line, column: 1 } }) + '\n');
  process.exit(1);
}
`;

/** Writes the pipeline into a fresh temp folder (or `dir`) and returns its folder. */
export function writeHandPipeline(
  name: string,
  steps: HandStep[],
  options: { parameters?: PipelineParameter[]; dir?: string } = {},
): string {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'sw-hand-'));
  mkdirSync(path.join(dir, 'steps'), { recursive: true });
  const specSteps: PipelineStep[] = steps.map((s) => {
    const file = path.join(dir, 'steps', `${s.name}.mjs`);
    const bodyLines = s.body.split('\n');
    // Prologue: one line per constant, then the body function (starts on line 4).
    const source =
      `const STEP = ${JSON.stringify(s.name)};\nconst CELL = ${s.cell ?? 0};\nconst BODY_START = 5;\n` +
      `async function body(inputs, params) {\n${bodyLines.join('\n')}\n}\n${RUNTIME}`;
    writeFileSync(file, source);
    return {
      name: s.name,
      kind: 'other',
      deps: [...(s.deps ?? [])].sort(),
      bundle: `steps/${s.name}.mjs`,
      inputs: (s.inputs ?? []).map((i) => ({ ...i, marshal: 'structured-clone' as const })),
      outputs: (s.outputs ?? []).map((o) => ({ name: o, marshal: 'structured-clone' as const })),
      parameters: s.parameters ?? [],
      metrics: s.metrics ?? [],
      cache: s.cache ?? true,
      retries: s.retries ?? 0,
      timeoutSeconds: s.timeoutSeconds ?? null,
      limits: s.limits ?? {},
      source: [{ cell: s.cell ?? 0, startLine: 1, endLine: bodyLines.length }],
      hash: hashText(source),
    };
  });
  const spec: PipelineSpec = {
    specVersion: 1,
    name,
    description: '',
    hash: hashText(JSON.stringify(specSteps)),
    notebook: 'notebook.ipynb',
    lakehouseRoot: null,
    parameters: options.parameters ?? [],
    steps: specSteps,
    metrics: steps.flatMap((s) => (s.metrics ?? []).map((m) => ({ name: m, step: s.name }))),
    sourceMap: { format: 'source-map-v3', sourcePattern: 'notebook.ipynb/cell-{cell}' },
  };
  writeFileSync(path.join(dir, 'pipeline.json'), JSON.stringify(spec, null, 2));
  return dir;
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
