/**
 * The Ray driver against a real two-node Ray cluster on loopback: placement by custom
 * resource, output streamed back byte for byte, cancellation, a node dying under a step,
 * and a step no node can run. Nothing may be left running afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RayDriver, type RayLaunch, type RayStepEvent } from '../../../kernel-lib/src/runner/engine/ray/ray-driver.js';
import { processGoneWithin } from '../../helpers/processes.js';
import { type RayCluster, rayMissing, rayPython, startRayCluster } from '../../helpers/ray-cluster.mjs';

const missing = rayMissing();
if (missing) console.warn(`skipped "Ray driver": ${missing}`);

function nodeStep(id: string, code: string, resources: Record<string, number>): RayLaunch {
  return {
    id,
    argv: [process.execPath, '-e', code],
    env: { PATH: process.env.PATH ?? '' },
    cwd: process.cwd(),
    resources,
    numCpus: 1,
  };
}

/** Collects a step's events until it ends. */
function follow(driver: RayDriver, launch: RayLaunch) {
  const events: RayStepEvent[] = [];
  let started!: (e: Extract<RayStepEvent, { type: 'started' }>) => void;
  const whenStarted = new Promise<Extract<RayStepEvent, { type: 'started' }>>((r) => (started = r));
  const ended = new Promise<RayStepEvent>((resolve) =>
    driver.launch(launch, (e) => {
      events.push(e);
      if (e.type === 'started') started(e);
      if (e.type === 'exit' || e.type === 'lost' || e.type === 'rejected') resolve(e);
    }),
  );
  const text = (stream: 'stdout' | 'stderr') =>
    events.flatMap((e) => (e.type === 'output' && e.stream === stream ? [e.text] : [])).join('');
  return { events, whenStarted, ended, text };
}

describe.skipIf(missing !== undefined)('Ray driver on a two-node cluster', () => {
  let cluster: RayCluster;
  let driver: RayDriver;

  beforeAll(async () => {
    cluster = await startRayCluster();
    driver = await RayDriver.connect({ address: cluster.address, python: rayPython });
  }, 400_000);

  afterAll(async () => {
    await driver?.close();
    await cluster?.stop();
  }, 60_000);

  it('connects once and lists both nodes with their custom resources', () => {
    expect(driver.connectMs).toBeGreaterThan(0);
    expect(driver.nodes.flatMap((n) => n.resources).sort()).toEqual(['example.com/head', 'example.com/second']);
  });

  it('places a step by its resources and streams its output whole, utf-8 split across chunks included', async () => {
    const code = `process.stdout.write('€'.repeat(50000)); process.stderr.write('done ✓\\n'); process.exitCode = 3;`;
    const step = follow(driver, nodeStep('placed', code, { 'example.com/second': 1 }));
    const started = await step.whenStarted;
    expect(started.node.resources).toEqual(['example.com/second']);
    expect(await step.ended).toEqual({ type: 'exit', code: 3, signal: null });
    expect(step.text('stdout')).toBe('€'.repeat(50000));
    expect(step.text('stderr')).toBe('done ✓\n');
  }, 120_000);

  it('cancelling a running step ends its process group', async () => {
    const code = `require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{}, 1000)'], { stdio: 'inherit' }); console.log(process.pid); setInterval(() => {}, 1000);`;
    const step = follow(driver, nodeStep('cancelled', code, { 'example.com/head': 1 }));
    const started = await step.whenStarted;
    driver.cancel('cancelled');
    const end = await step.ended;
    expect(end.type).toBe('exit');
    expect(await processGoneWithin(started.pid, 5000)).toBe(true);
    expect(cluster.pids()).not.toContain(started.pid);
  }, 120_000);

  it('a step no live node can run is rejected at once, naming what it asked for', async () => {
    const end = await follow(driver, nodeStep('nowhere', '1', { gpu_node: 1 })).ended;
    expect(end).toMatchObject({ type: 'rejected', message: expect.stringContaining('gpu_node') });
  }, 60_000);

  it('a node killed under its step reports the step lost on that node, and the step process dies', async () => {
    const step = follow(driver, nodeStep('orphan', 'setInterval(() => {}, 1000)', { 'example.com/second': 1 }));
    const started = await step.whenStarted;
    cluster.killSecondNode();
    const end = await step.ended;
    expect(end).toMatchObject({ type: 'lost', node: { id: started.node.id } });
    expect(await processGoneWithin(started.pid, 5000)).toBe(true);
  }, 120_000);
});
