import { describe, expect, it } from 'vitest';
import { ancestors, descendants, topologicalOrder } from '../../../kernel-lib/src/runner/dag.js';
import { type NodeOutcome, schedule } from '../../../kernel-lib/src/runner/scheduler.js';

const diamond = [
  { name: 'd', deps: ['b', 'c'] },
  { name: 'a', deps: [] },
  { name: 'b', deps: ['a'] },
  { name: 'c', deps: ['a'] },
  { name: 'e', deps: [] },
];
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dag', () => {
  it('orders topologically, stable w.r.t. the given order', () => {
    expect(topologicalOrder(diamond).map((n) => n.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  it('rejects cycles and unknown deps, naming the steps', () => {
    expect(() =>
      topologicalOrder([
        { name: 'x', deps: ['y'] },
        { name: 'y', deps: ['x'] },
      ]),
    ).toThrow('steps form a cycle: x → y → x');
    expect(() => topologicalOrder([{ name: 'x', deps: ['nope'] }])).toThrow('step `x` depends on unknown step `nope`');
  });
  it('finds ancestors and descendants', () => {
    expect([...descendants(diamond, 'a')].sort()).toEqual(['b', 'c', 'd']);
    expect([...ancestors(diamond, 'd')].sort()).toEqual(['a', 'b', 'c']);
    expect(descendants(diamond, 'e').size).toBe(0);
  });
});

describe('scheduler', () => {
  it('never exceeds the concurrency and respects dependencies', async () => {
    let running = 0;
    let peak = 0;
    const finished: string[] = [];
    const out = await schedule(diamond, {
      concurrency: 2,
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
      concurrency: 4,
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
      concurrency: 1,
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
    const out = await schedule([{ name: 'x', deps: ['elsewhere'] }], { concurrency: 1, run: async () => 'succeeded' });
    expect(out.get('x')).toBe('skipped');
  });
});
