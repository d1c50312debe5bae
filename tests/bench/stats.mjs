// Small helpers the benchmarks share for reporting.
import { loadavg } from 'node:os';

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
