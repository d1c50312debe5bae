import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadTurbofan, prepareTurbofan, simulateTurbofan, writeTurbofan } from '../../../kernel-lib/src/data/index.js';

describe('loadTurbofan', () => {
  it('simulates without a directory and reads C-MAPSS files with one', async () => {
    const sim = await loadTurbofan({ seed: 5, trainUnits: 3, testUnits: 2 });
    expect(sim.source).toBe('simulator (seed 5)');
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-load-'));
    try {
      await writeTurbofan(dir, sim, 'FD009');
      const read = await loadTurbofan({ dataDir: dir, subset: 'FD009' });
      expect(read.source).toBe(`C-MAPSS FD009 in ${dir}`);
      expect(read.train.numRows).toBe(sim.train.numRows);
      await expect(loadTurbofan({ dataDir: dir })).rejects.toThrow(`cannot read C-MAPSS file ${dir}/train_FD001.txt`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prepareTurbofan', () => {
  const data = simulateTurbofan({ seed: 8, trainUnits: 15, testUnits: 15 });

  it('labels, drops constant channels, adds rolling features and scales with train bounds only', () => {
    const p = prepareTurbofan(data, { window: 20, rolling: 10 });
    expect(p.dropped).toEqual(['setting3', 's1', 's5', 's10', 's16', 's18', 's19']);
    expect(p.features).toContain('s4_mean10');
    expect(p.features).toContain('s4_std10');
    expect(p.features).not.toContain('label');
    expect(p.features).not.toContain('s1');
    expect(p.features.length).toBe(2 + 15 + 30);
    const range = (t: Table, c: string) => {
      const v = Array.from(t.getChild(c)!.toArray() as Float64Array);
      return [Math.min(...v), Math.max(...v)];
    };
    // Train spans exactly [0, 1]; test is mapped with train's bounds, so it need not.
    for (const c of p.features) expect(range(p.train, c)).toEqual([0, 1]);
    const s4 = p.scaler!.columns.find((c) => c.name === 's4')!;
    const raw = data.test.getChild('s4')!.toArray() as Float64Array;
    expect((p.test.getChild('s4')!.get(0) as number) * s4.scale + s4.center).toBeCloseTo(raw[0]!, 9);
    expect(Array.from(p.test.getChild('label')!.toArray()).some((v) => v === 1)).toBe(true);
  });

  it('can skip rolling features and scaling', () => {
    const p = prepareTurbofan(data, { rolling: 0, scaling: 'none' });
    expect(p.features).toEqual([
      'setting1',
      'setting2',
      's2',
      's3',
      's4',
      's6',
      's7',
      's8',
      's9',
      's11',
      's12',
      's13',
      's14',
      's15',
      's17',
      's20',
      's21',
    ]);
    expect(p.scaler).toBeNull();
    expect(p.train.getChild('s4')!.get(0)).toBe(data.train.getChild('s4')!.get(0));
  });
});
