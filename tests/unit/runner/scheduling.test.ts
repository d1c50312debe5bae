import { describe, expect, it } from 'vitest';
import { checkDependencies, descendants } from '../../../kernel-lib/src/runner/dag.js';
import { PipelineLoadError } from '../../../kernel-lib/src/runner/errors.js';
import { type NodeOutcome, schedule } from '../../../kernel-lib/src/runner/scheduler.js';
import { CountingSlots } from '../../../kernel-lib/src/runner/engine/counting-slots.js';

const diamond = [
  { name: 'd', deps: ['b', 'c'] },
  { name: 'a', deps: [] },
  { name: 'b', deps: ['a'] },
  { name: 'c', deps: ['a'] },
  { name: 'e', deps: [] },
];
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dag', () => {
  it('accepts a DAG and rejects cycles and unknown deps, naming the steps (PipelineLoadError)', () => {
    expect(() => checkDependencies(diamond)).not.toThrow();
    expect(() =>
      checkDependencies([
        { name: 'x', deps: ['y'] },
        { name: 'y', deps: ['x'] },
      ]),
    ).toThrow(PipelineLoadError);
    expect(() =>
      checkDependencies([
        { name: 'x', deps: ['y'] },
        { name: 'y', deps: ['x'] },
      ]),
    ).toThrow('steps form a cycle among: x, y');
    expect(() => checkDependencies([{ name: 'x', deps: ['nope'] }])).toThrow('step `x` depends on unknown step `nope`');
  });
  it('finds descendants', () => {
    expect([...descendants(diamond, 'a')].sort()).toEqual(['b', 'c', 'd']);
    expect(descendants(diamond, 'e').size).toBe(0);
  });
});

describe('scheduler', () => {
  it("asks for a node's weight in slots: a `limit:cpu:2` node runs alone at concurrency 2", async () => {
    const slots = new CountingSlots(2);
    const overlaps: string[] = [];
    const running = new Set<string>();
    const nodes = [
      { name: 'heavy', deps: [], slots: 2 },
      { name: 'x', deps: [] },
      { name: 'y', deps: [] },
    ];
    await schedule(nodes, {
      slots,
      run: async (n) => {
        if (running.has('heavy') || (n.name === 'heavy' && running.size > 0)) overlaps.push(n.name);
        running.add(n.name);
        await tick(15);
        running.delete(n.name);
        return 'succeeded';
      },
    });
    expect(overlaps).toEqual([]);
  });
  it('keeps freed slots for a heavier node waiting for them instead of starting lighter nodes after it', async () => {
    const slots = new CountingSlots(2);
    const started: string[] = [];
    let release: () => void = () => {};
    const nodes = [
      { name: 'long', deps: [] },
      { name: 'heavy', deps: [], slots: 2 },
      { name: 'x', deps: [] },
      { name: 'y', deps: [] },
    ];
    const done = schedule(nodes, {
      slots,
      run: async (n) => {
        started.push(n.name);
        if (n.name === 'long') await new Promise<void>((r) => (release = r));
        else await tick(10);
        return 'succeeded';
      },
    });
    await tick(50);
    // `heavy` cannot have 2 slots while `long` runs; the free slot is kept for it.
    expect(started).toEqual(['long']);
    release();
    await done;
    expect(started).toEqual(['long', 'heavy', 'x', 'y']);
  });

  it('never exceeds the concurrency and respects dependencies', async () => {
    let running = 0;
    let peak = 0;
    const finished: string[] = [];
    const out = await schedule(diamond, {
      slots: new CountingSlots(2),
      run: async (n) => {
        for (const d of n.deps) expect(finished).toContain(d);
        running++;
        peak = Math.max(peak, running);
        await tick(20);
        running--;
        finished.push(n.name);
        return 'succeeded';
      },
    });
    expect(peak).toBe(2);
    expect([...out.values()].every((o) => o === 'succeeded')).toBe(true);
  });

  it('skips descendants of a failure and finishes independent branches', async () => {
    const skipped: [string, string][] = [];
    const out = await schedule(diamond, {
      slots: new CountingSlots(4),
      run: async (n): Promise<NodeOutcome> => {
        if (n.name === 'b') throw new Error('boom');
        return 'succeeded';
      },
      onSkip: (n, reason) => skipped.push([n.name, reason]),
    });
    expect(Object.fromEntries(out)).toEqual({
      a: 'succeeded',
      b: 'failed',
      c: 'succeeded',
      d: 'skipped',
      e: 'succeeded',
    });
    expect(skipped).toEqual([['d', 'upstream step `b` failed']]);
  });

  it('starts nothing new after cancellation', async () => {
    const ac = new AbortController();
    const started: string[] = [];
    const out = await schedule(diamond, {
      slots: new CountingSlots(1),
      signal: ac.signal,
      run: async (n) => {
        started.push(n.name);
        ac.abort();
        await tick(5);
        return 'cancelled';
      },
    });
    expect(started).toHaveLength(1);
    expect([...out.values()].filter((o) => o === 'skipped')).toHaveLength(4);
  });

  it('does not hang on deps outside the node set', async () => {
    const out = await schedule([{ name: 'x', deps: ['elsewhere'] }], {
      slots: new CountingSlots(1),
      run: async () => 'succeeded',
    });
    expect(out.get('x')).toBe('skipped');
  });
});
