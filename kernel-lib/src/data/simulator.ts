/**
 * A deterministic turbofan degradation simulator: the embedded default data, so
 * the demo runs with no download. It produces its own engines in the C-MAPSS
 * format (same 26 columns, same train / test / RUL split), loosely following
 * the damage model of Saxena et al. (PHM08): every unit starts with random
 * initial wear and a fault that grows exponentially until the health margin is
 * used up; sensors drift with the accumulated damage and carry measurement
 * noise; a few channels are constant, as on a real single-condition fleet.
 *
 * Train units run to failure. Test units are cut off at a random cycle before
 * failure, and the RUL table holds the true remaining cycles at the cut.
 */
import { writeFile } from 'node:fs/promises';
import { makeVector, Table } from 'apache-arrow';
import { CMAPSS_COLUMNS, cmapssFiles, formatCmapss, formatRul, type TurbofanData } from './cmapss.js';
import { SimulatorError } from './errors.js';
import { Random } from './random.js';

/** One sensor: healthy baseline, drift at full damage, noise sd, printed decimals. */
interface SensorModel {
  base: number;
  drift: number;
  noise: number;
  decimals: number;
}

// Channels chosen to behave like a turbofan's temperatures, pressures and
// speeds: most rise with damage, efficiency-related ones fall, six are constant.
const SENSORS: readonly SensorModel[] = [
  { base: 518.67, drift: 0, noise: 0, decimals: 2 }, // fan inlet temperature (ISA sea level)
  { base: 642.0, drift: 1.6, noise: 0.45, decimals: 2 },
  { base: 1588.0, drift: 14, noise: 5.5, decimals: 2 },
  { base: 1405.0, drift: 22, noise: 7, decimals: 2 },
  { base: 14.62, drift: 0, noise: 0, decimals: 2 },
  { base: 21.61, drift: 0, noise: 0.0015, decimals: 2 },
  { base: 553.5, drift: -2.8, noise: 0.8, decimals: 2 },
  { base: 2388.05, drift: 0.22, noise: 0.06, decimals: 2 },
  { base: 9060, drift: 35, noise: 18, decimals: 2 },
  { base: 1.3, drift: 0, noise: 0, decimals: 2 },
  { base: 47.4, drift: 1.1, noise: 0.22, decimals: 2 },
  { base: 521.6, drift: -2.4, noise: 0.65, decimals: 2 },
  { base: 2388.05, drift: 0.22, noise: 0.06, decimals: 2 },
  { base: 8138, drift: 25, noise: 15, decimals: 2 },
  { base: 8.42, drift: 0.09, noise: 0.03, decimals: 4 },
  { base: 0.03, drift: 0, noise: 0, decimals: 2 },
  { base: 392, drift: 5, noise: 1.4, decimals: 0 },
  { base: 2388, drift: 0, noise: 0, decimals: 0 },
  { base: 100, drift: 0, noise: 0, decimals: 2 },
  { base: 38.85, drift: -0.55, noise: 0.17, decimals: 2 },
  { base: 23.31, drift: -0.33, noise: 0.1, decimals: 4 },
];

/** Digits written per column, so files and in-memory tables hold the same values. */
export const SIMULATOR_DECIMALS: Readonly<Record<string, number>> = Object.fromEntries([
  ['setting1', 4],
  ['setting2', 4],
  ['setting3', 1],
  ...SENSORS.map((s, i) => [`s${i + 1}`, s.decimals] as const),
]);

export interface SimulatorOptions {
  /** PRNG seed; equal seeds give identical data. Default 42. */
  seed?: number;
  /** Units run to failure. Default 100. */
  trainUnits?: number;
  /** Units cut off before failure. Default 100. */
  testUnits?: number;
  /** Mean life in cycles. Default 205. */
  meanLife?: number;
  /**
   * Calibration drift: every noisy sensor reads this many of its noise standard
   * deviations high (negative: low). Default 0. The random draws are the same as
   * without drift, so a drifted batch differs from the seed's data only by the shift.
   */
  sensorDrift?: number;
}

/** Fraction of the health margin the fault consumes at its onset; sets the curve's sharpness. */
const FAULT_SCALE = 0.02;

function round(v: number, decimals: number): number {
  const p = 10 ** decimals;
  return Math.round(v * p) / p + 0; // + 0 turns -0 into 0 so text round-trips compare equal
}

/** Column buffers grown row by row. */
class Columns {
  readonly unit: number[] = [];
  readonly cycle: number[] = [];
  readonly values: number[][] = Array.from({ length: 24 }, () => []);

  toTable(): Table {
    const cols: Record<string, ReturnType<typeof makeVector>> = {
      unit: makeVector(Int32Array.from(this.unit)),
      cycle: makeVector(Int32Array.from(this.cycle)),
    };
    this.values.forEach((v, i) => {
      cols[CMAPSS_COLUMNS[i + 2]!] = makeVector(Float64Array.from(v));
    });
    return new Table(cols);
  }
}

/**
 * Simulates one unit's whole life and appends its first `keep` cycles (all when
 * undefined). Returns the unit's life in cycles.
 */
function simulateUnit(
  rng: Random,
  unit: number,
  meanLife: number,
  sensorDrift: number,
  out: Columns,
  cutoff?: (life: number) => number,
) {
  const initialWear = rng.uniform(0, 0.15);
  const targetLife = Math.min(Math.max(rng.normal(meanLife, meanLife * 0.22), meanLife * 0.6), meanLife * 1.8);
  const growth = Math.log(1 + (1 - initialWear) / FAULT_SCALE) / targetLife;
  const life = Math.max(2, Math.floor(Math.log(1 + (1 - initialWear) / FAULT_SCALE) / growth));
  const offsets = SENSORS.map((s) => rng.normal(0, s.noise * 0.3));
  const keep = cutoff ? cutoff(life) : life;
  for (let t = 1; t <= keep; t++) {
    const damage = initialWear + FAULT_SCALE * (Math.exp(growth * t) - 1);
    out.unit.push(unit);
    out.cycle.push(t);
    out.values[0]!.push(round(rng.normal(0, 0.0022), 4));
    out.values[1]!.push(round(rng.normal(0, 0.0003), 4));
    out.values[2]!.push(100);
    SENSORS.forEach((s, k) => {
      const v =
        s.base + offsets[k]! + s.drift * damage + (s.noise > 0 ? rng.normal(0, s.noise) + sensorDrift * s.noise : 0);
      out.values[k + 3]!.push(round(v, s.decimals));
    });
  }
  return life;
}

/**
 * Generates a train / test / RUL data set in the C-MAPSS layout, deterministic for a seed.
 * @throws SimulatorError for non-positive unit counts or an implausible mean life.
 */
export function simulateTurbofan(options: SimulatorOptions = {}): TurbofanData {
  const { seed = 42, trainUnits = 100, testUnits = 100, meanLife = 205, sensorDrift = 0 } = options;
  for (const [name, v] of [
    ['trainUnits', trainUnits],
    ['testUnits', testUnits],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new SimulatorError(`${name} must be a positive integer, got ${v}`);
  }
  if (!(meanLife >= 20 && meanLife <= 10000)) {
    throw new SimulatorError(`meanLife must be between 20 and 10000 cycles, got ${meanLife}`);
  }
  const rng = new Random(seed);
  const train = new Columns();
  for (let u = 1; u <= trainUnits; u++) simulateUnit(rng, u, meanLife, sensorDrift, train);
  const test = new Columns();
  const rul = new Int32Array(testUnits);
  for (let u = 1; u <= testUnits; u++) {
    let cut = 0;
    const life = simulateUnit(rng, u, meanLife, sensorDrift, test, (l) => {
      // Cut somewhere between 25 % and 97 % of life, leaving at least one cycle.
      cut = Math.max(1, Math.min(l - 1, Math.floor(l * rng.uniform(0.25, 0.97))));
      return cut;
    });
    rul[u - 1] = life - cut;
  }
  return {
    train: train.toTable(),
    test: test.toTable(),
    rul: new Table({ unit: makeVector(Int32Array.from({ length: testUnits }, (_, i) => i + 1)), rul: makeVector(rul) }),
  };
}

/**
 * Writes a data set as `train_<subset>.txt`, `test_<subset>.txt`, `RUL_<subset>.txt`
 * in `dir` (which must exist), in the C-MAPSS text format. Returns the file paths.
 */
export async function writeTurbofan(dir: string, data: TurbofanData, subset = 'SIM001') {
  const files = cmapssFiles(dir, subset);
  await writeFile(files.train, formatCmapss(data.train, SIMULATOR_DECIMALS));
  await writeFile(files.test, formatCmapss(data.test, SIMULATOR_DECIMALS));
  await writeFile(files.rul, formatRul(data.rul));
  return files;
}
