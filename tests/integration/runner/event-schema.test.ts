/**
 * Every event a run emits — success, cache hits, retries, failures, skips,
 * logs, the final event — validates against schema/run-event.schema.json.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { repoRoot } from '../../helpers/paths.js';
import { writeHandPipeline } from './contract-pipeline.js';

const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schema', 'run-event.schema.json'), 'utf8'));

describe('run-event.schema.json', () => {
  it('is valid JSON Schema 2020-12 and describes every emitted event', async () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const dir = writeHandPipeline('mixed', [
      {
        name: 'a',
        outputs: ['x'],
        metrics: ['m'],
        body: "console.log('hi');\nreturn { outputs: { x: 1 }, metrics: { m: 0.5 } };",
      },
      {
        name: 'b',
        deps: ['a'],
        inputs: [{ name: 'x', from: 'a' }],
        retries: 1,
        body: "throw new RangeError('no');",
        cell: 4,
      },
      { name: 'c', deps: ['b'], body: 'return {};' },
      { name: 'd', deps: ['a'], inputs: [{ name: 'x', from: 'a' }], body: 'process.exit(3);' },
    ]);
    const home = mkdtempSync(path.join(tmpdir(), 'sw-home-'));
    const events: RunEvent[] = [];
    for (const _ of [1, 2]) {
      const h = runPipeline(dir, { home, retryBackoffMs: 10 });
      for await (const e of h) events.push(e);
    }
    const types = new Set(events.map((e) => (e.type === 'step' ? `step:${e.status}` : e.type)));
    for (const t of [
      'run-started',
      'log',
      'step:queued',
      'step:running',
      'step:retrying',
      'step:done',
      'step:cached',
    ]) {
      expect(types).toContain(t);
    }
    for (const t of ['step:failed', 'step:skipped', 'run-finished']) expect(types).toContain(t);
    for (const e of events) {
      const ok = validate(e);
      expect(ok ? null : { event: e, errors: validate.errors }).toBeNull();
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'run-finished', status: 'failed', metrics: { m: 0.5 } });
  });
});
