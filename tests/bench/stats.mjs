// Small helpers the benchmarks share for reporting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

/** The machine's load averages, printed beside every measurement (the machine may be shared). */
export const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** The median (the mean of the two middle values for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Milliseconds as seconds, `1.23 s`. */
export const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * What starting a Node process costs here, as a line for the report: the median wall time
 * of spawning `node` on an empty module, and — when NODE_EXTRA_CA_CERTS is set, which Node 20
 * reads (parsing every certificate) at start-up, before any code runs — the same without it.
 * Every step process and the CLI pay this; the figures above include it.
 */
export function nodeBootReport(runs = 7) {
  const empty = path.join(mkdtempSync(path.join(tmpdir(), 'sw-boot-')), 'empty.mjs');
  writeFileSync(empty, '');
  const boot = (env) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, [empty], { env, stdio: 'ignore' });
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const withEnv = boot(process.env);
  rmSync(path.dirname(empty), { recursive: true, force: true });
  if (!process.env.NODE_EXTRA_CA_CERTS) return `Node process start-up ${withEnv.toFixed(1)} ms (median of ${runs})`;
  const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
  const withoutEnv = boot(without);
  return (
    `Node process start-up ${withEnv.toFixed(1)} ms with NODE_EXTRA_CA_CERTS set (${path.basename(process.env.NODE_EXTRA_CA_CERTS)}), ` +
    `${withoutEnv.toFixed(1)} ms without (median of ${runs}): every step process and the CLI pay the difference`
  );
}
