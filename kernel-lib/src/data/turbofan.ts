/**
 * Where the turbofan example gets its data: a real C-MAPSS directory when one
 * is given, otherwise the embedded simulator (so the demo needs no download).
 */
import { readCmapssDir, type TurbofanData } from './cmapss.js';
import { type SimulatorOptions, simulateTurbofan } from './simulator.js';

export interface LoadTurbofanOptions extends SimulatorOptions {
  /** A C-MAPSS directory; empty or undefined selects the simulator. */
  dataDir?: string;
  /** C-MAPSS subset to read from `dataDir`. Default FD001. */
  subset?: string;
}

export interface LoadedTurbofan extends TurbofanData {
  /** Human-readable origin, e.g. `C-MAPSS FD001 in /data` or `simulator (seed 42)`. */
  source: string;
}

/** Loads train / test / RUL from `dataDir`, or simulates them when no directory is given. */
export async function loadTurbofan(options: LoadTurbofanOptions = {}): Promise<LoadedTurbofan> {
  const { dataDir, subset = 'FD001', ...sim } = options;
  if (dataDir) return { ...(await readCmapssDir(dataDir, subset)), source: `C-MAPSS ${subset} in ${dataDir}` };
  return { ...simulateTurbofan(sim), source: `simulator (seed ${sim.seed ?? 42})` };
}
