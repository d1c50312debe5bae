/**
 * The local launcher's slot rule (engine/local/launcher.ts): steps the scheduler started,
 * processes launched ahead until they say they are ready, and the idle task each hold a
 * `--concurrency` slot; a booting process's slot becomes its step's when the step gets
 * its turn. The step processes are real: a small bundle that speaks the step contract's
 * signal pipe (`ready` on STILLWATER_SIGNAL_FD) when the test opens its gate file.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { CountingSlots } from '../../../kernel-lib/src/runner/engine/counting-slots.js';
import { type EngineRunPlan, type StepLaunch, stepSlots } from '../../../kernel-lib/src/runner/engine/engine.js';
import { LocalLauncher } from '../../../kernel-lib/src/runner/engine/local/launcher.js';

/** Says `ready` once `<gates>/<step>.ready` exists, exits 0 once `<gates>/<step>.exit` does. */
const bundle = (step: string) => `import { existsSync, writeSync } from 'node:fs';
const [step, gates] = [${JSON.stringify(step)}, process.env.SW_TEST_GATES];
const gate = (name) => new Promise((resolve) => {
  const poll = () => (existsSync(gates + '/' + name) ? resolve() : setTimeout(poll, 5));
  poll();
});
await gate(step + '.ready');
writeSync(Number(process.env.STILLWATER_SIGNAL_FD), 'ready\\n');
if (process.argv[2] === "--args-from-stdin") {
  process.stdin.setEncoding('utf8');
  let text = '';
  for await (const chunk of process.stdin) { text += chunk; if (text.includes('\\n')) break; }
}
await gate(step + '.exit');
process.exit(0);
`;

const open = new Set<LocalLauncher>();
afterEach(async () => {
  for (const l of open) await l.close();
  open.clear();
});

function setup(
  steps: Array<{ name: string; deps?: string[]; cpu?: string }>,
  concurrency: number,
  options: { launchAhead?: boolean } = {},
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-launcher-'));
  const gates = path.join(dir, 'gates');
  mkdirSync(gates);
  for (const s of steps) writeFileSync(path.join(dir, `${s.name}.mjs`), bundle(s.name));
  const limits = (step: string) => {
    const cpu = steps.find((s) => s.name === step)?.cpu;
    return cpu === undefined ? {} : { cpu };
  };
  const plan: EngineRunPlan = {
    runId: 'r1',
    // The launcher does not read the spec; the run plan hands it over for engines that ship it.
    spec: { name: 'launcher-test', steps: [] } as unknown as PipelineSpec,
    pipelineDir: dir,
    home: dir,
    concurrency,
    steps: steps.map((s) => ({
      name: s.name,
      deps: s.deps ?? [],
      bundle: path.join(dir, `${s.name}.mjs`),
      limits: limits(s.name),
      slots: stepSlots(limits(s.name), concurrency),
    })),
    cwd: dir,
    env: { ...(process.env as Record<string, string>), SW_TEST_GATES: gates },
  };
  const launcher = new LocalLauncher(plan, options);
  open.add(launcher);
  const openGate = (name: string) => writeFileSync(path.join(gates, name), '');
  const launch = (step: string): StepLaunch => ({
    runId: 'r1',
    step,
    attempt: 1,
    bundle: path.join(dir, `${step}.mjs`),
    args: [],
    cwd: dir,
    env: plan.env,
    inputs: {},
    outputs: {},
    metricsPath: path.join(dir, `${step}.metrics.json`),
    timeoutMs: null,
    killGraceMs: 100,
    limits: limits(step),
    slots: stepSlots(limits(step), concurrency),
  });
  const run = (step: string) => launcher.run(launch(step), () => {}, new AbortController().signal);
  return { dir, gates, launcher, openGate, run };
}

/** Waits until `cond` holds (polling), failing after 10 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `a` runs; once it is ready, `b` (its dependant) is launched ahead; `a` ends while `b` still boots. */
async function runAWhileBBoots({
  launcher,
  openGate,
  run,
}: Pick<ReturnType<typeof setup>, 'launcher' | 'openGate' | 'run'>) {
  expect(launcher.tryAcquire('a')).toBe(true);
  const a = run('a');
  openGate('a.ready');
  await until(() => launcher.used === 2, 'b to be launched ahead');
  openGate('a.exit');
  expect((await a).exitCode).toBe(0);
  launcher.release('a', true);
}

describe('the local launcher’s slots', () => {
  it('grants at most `concurrency` slots to steps, and takes a released one back', () => {
    const { launcher } = setup([{ name: 'a' }, { name: 'b' }, { name: 'c' }], 2);
    expect(launcher.tryAcquire('a')).toBe(true);
    expect(launcher.tryAcquire('a')).toBe(true); // asking again for the same step takes no second slot
    expect(launcher.tryAcquire('b')).toBe(true);
    expect(launcher.tryAcquire('c')).toBe(false);
    let freed = 0;
    launcher.onFree(() => freed++);
    launcher.release('a', true);
    expect(freed).toBeGreaterThan(0);
    expect(launcher.tryAcquire('c')).toBe(true);
    expect(launcher.used).toBe(2);
  });

  it('a step with `limit:cpu:N` takes N slots, capped at the concurrency', () => {
    const { launcher } = setup(
      [{ name: 'a', cpu: '2' }, { name: 'b', cpu: '2' }, { name: 'c' }, { name: 'd', cpu: '8' }],
      3,
    );
    expect(launcher.tryAcquire('a', 2)).toBe(true);
    expect(launcher.used).toBe(2);
    expect(launcher.tryAcquire('b', 2)).toBe(false); // 2 + 2 > 3
    expect(launcher.tryAcquire('c', 1)).toBe(true);
    expect(launcher.used).toBe(3);
    launcher.release('a', true);
    expect(launcher.used).toBe(1);
    expect(launcher.tryAcquire('b', 2)).toBe(true);
    launcher.release('b', true);
    launcher.release('c', true);
    // More CPUs than the run may use: the step runs alone, on every slot.
    expect(launcher.tryAcquire('d', 8)).toBe(true);
    expect(launcher.used).toBe(3);
    expect(launcher.tryAcquire('c', 1)).toBe(false);
  });

  it('a booting process’s slot counts towards its step’s weight', async () => {
    // a → b (limit:cpu:2); c is independent. Concurrency 2.
    const { launcher, openGate, run } = setup([{ name: 'a' }, { name: 'b', deps: ['a'], cpu: '2' }, { name: 'c' }], 2);
    await runAWhileBBoots({ launcher, openGate, run });
    expect(launcher.tryAcquire('c')).toBe(true);
    // b boots (1 slot) beside c (1): b's turn needs 2, of which its own booting slot is one.
    expect(launcher.tryAcquire('b', 2)).toBe(false);
    expect(launcher.used).toBe(2);
    launcher.release('c', true);
    expect(launcher.tryAcquire('b', 2)).toBe(true);
    expect(launcher.used).toBe(2);
    openGate('b.ready');
    openGate('b.exit');
    const b = await run('b');
    expect(b.exitCode).toBe(0);
    expect(b.node.length).toBeGreaterThan(0);
  });

  it('a process launched ahead holds a slot while it boots, and hands it to its step', async () => {
    // a → b; c is independent. Concurrency 2.
    const { launcher, openGate, run, gates } = setup([{ name: 'a' }, { name: 'b', deps: ['a'] }, { name: 'c' }], 2);
    expect(launcher.tryAcquire('a')).toBe(true);
    const a = run('a');
    // Until a says it is ready, nothing boots beside it: b does not qualify yet.
    expect(launcher.used).toBe(1);
    openGate('a.ready');
    // a is ready: b is launched ahead and boots, holding the second slot.
    await until(() => launcher.used === 2, 'b to be launched ahead');
    expect(launcher.tryAcquire('c')).toBe(false);
    // b says ready: it only waits now, and its slot is free for c.
    let freed = 0;
    launcher.onFree(() => freed++);
    openGate('b.ready');
    await until(() => freed > 0, 'b to say it is ready');
    expect(launcher.used).toBe(1);
    expect(launcher.tryAcquire('c')).toBe(true);
    expect(launcher.used).toBe(2);
    openGate('a.exit');
    expect((await a).exitCode).toBe(0);
    launcher.release('a', true);
    // b's turn: it needs a slot again (it gave its booting slot up when ready).
    expect(launcher.tryAcquire('b')).toBe(true);
    openGate('b.exit');
    const b = await run('b');
    expect(b.exitCode).toBe(0);
    expect(readdirSync(gates).sort()).toEqual(['a.exit', 'a.ready', 'b.exit', 'b.ready']);
  });

  it('a booting process’s slot becomes its step’s, even when every slot is taken', async () => {
    const { launcher, openGate, run } = setup([{ name: 'a' }, { name: 'b', deps: ['a'] }, { name: 'c' }], 2);
    await runAWhileBBoots({ launcher, openGate, run });
    // b still boots (holding a slot); c takes the other one; b's turn comes: its own slot.
    expect(launcher.tryAcquire('c')).toBe(true);
    expect(launcher.used).toBe(2);
    expect(launcher.tryAcquire('b')).toBe(true);
    expect(launcher.used).toBe(2);
    openGate('b.ready');
    openGate('b.exit');
    expect((await run('b')).exitCode).toBe(0);
  });

  it('a dropped step’s booting process is killed and its slot freed', async () => {
    const { launcher, openGate, run, dir } = setup([{ name: 'a' }, { name: 'b', deps: ['a'] }], 2);
    expect(launcher.tryAcquire('a')).toBe(true);
    const a = run('a');
    openGate('a.ready');
    await until(() => launcher.used === 2, 'b to be launched ahead');
    launcher.drop('b');
    expect(launcher.used).toBe(1);
    openGate('a.exit');
    await a;
    expect(existsSync(path.join(dir, 'b.metrics.json'))).toBe(false);
  });

  it('the idle task runs in a free slot once no step waits to launch, and holds it meanwhile', async () => {
    const { launcher, openGate, run } = setup([{ name: 'a' }, { name: 'b' }], 2);
    let finishIdle!: () => void;
    let idleStarted = false;
    expect(launcher.tryAcquire('a')).toBe(true);
    launcher.whenIdle(
      () =>
        new Promise<void>((resolve) => {
          idleStarted = true;
          finishIdle = resolve;
        }),
    );
    // b has not started: the idle task waits.
    expect(idleStarted).toBe(false);
    expect(launcher.tryAcquire('b')).toBe(true);
    launcher.release('b', true);
    expect(idleStarted).toBe(true);
    expect(launcher.used).toBe(2);
    finishIdle();
    await until(() => launcher.used === 1, 'the idle task to end');
    openGate('a.ready');
    openGate('a.exit');
    expect((await run('a')).exitCode).toBe(0);
  });
});

describe('the idle task without launching ahead', () => {
  it('still runs (the history preload does not depend on --no-launch-ahead)', async () => {
    const { launcher } = setup([{ name: 'a' }, { name: 'b', deps: ['a'] }], 2, { launchAhead: false });
    let idleRan = false;
    launcher.whenIdle(async () => {
      idleRan = true;
    });
    // Steps still wait for their turn: the idle task waits for them to have started.
    expect(idleRan).toBe(false);
    expect(launcher.tryAcquire('a')).toBe(true);
    launcher.release('a', true);
    expect(launcher.tryAcquire('b')).toBe(true);
    expect(idleRan).toBe(true);
    await until(() => launcher.used === 1, 'the idle task to give its slot back');
  });
});

describe('slot weights', () => {
  it('stepSlots: `limit:cpu` rounded up, at least 1, at most the concurrency', () => {
    expect(stepSlots({}, 4)).toBe(1);
    expect(stepSlots({ cpu: '2' }, 4)).toBe(2);
    expect(stepSlots({ cpu: '1.5' }, 4)).toBe(2);
    expect(stepSlots({ cpu: '500m' }, 4)).toBe(1);
    expect(stepSlots({ cpu: '2500m' }, 4)).toBe(3);
    expect(stepSlots({ cpu: '16' }, 4)).toBe(4);
    expect(stepSlots({ cpu: '0' }, 4)).toBe(1);
  });

  it('CountingSlots (an engine holding no slots of its own) counts weights too', () => {
    const slots = new CountingSlots(3);
    expect(slots.tryAcquire('a', 2)).toBe(true);
    expect(slots.tryAcquire('b', 2)).toBe(false);
    expect(slots.tryAcquire('c')).toBe(true);
    expect(slots.used).toBe(3);
    let freed = 0;
    slots.onFree(() => freed++);
    slots.release('a');
    expect(freed).toBe(1);
    expect(slots.tryAcquire('b', 2)).toBe(true);
    expect(slots.tryAcquire('d', 99)).toBe(false);
  });
});
