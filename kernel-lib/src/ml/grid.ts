/**
 * Grid search over XGBoost parameters on worker threads. The WASM build is
 * single-threaded, so parallelism comes from one WASM instance per worker.
 * The training matrix is built once and shared with every worker through a
 * SharedArrayBuffer (no per-worker copies); each worker trains its jobs in
 * turn and returns the model bytes and, when a validation set is given, its
 * scores, from which the metrics are computed here.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Vector } from 'apache-arrow';
import { GridSearchError } from './errors.js';
import { type FeatureInput, type FeatureMatrix, featureMatrix, labelArray } from './matrix.js';
import { type BinaryMetrics, binaryMetrics } from './metrics.js';
import type { XGBoostParams } from './xgboost.js';

export interface GridSearchOptions {
  /** Worker threads. Default: min(jobs, available cores). */
  workers?: number;
  /** Validation data to score each model on (the model's feature names select its columns). */
  valid?: { features: FeatureInput; labels: ArrayLike<number> | Vector };
  /** Decision threshold for the validation metrics. Default 0.5. */
  threshold?: number;
}

export interface GridResult {
  params: XGBoostParams;
  /** Training time inside the worker (ms). */
  trainMs: number;
  /** The model, `XGBoostModel.fromBytes`-ready. */
  bytes: Uint8Array;
  /** Validation metrics when `valid` was given. */
  metrics?: BinaryMetrics;
}

/** Every combination of the given values, e.g. `{ eta: [0.1, 0.3], max_depth: [3, 4] }` → 4 parameter sets. */
export function parameterGrid(
  space: Readonly<Record<string, readonly (string | number)[]>>,
  base: XGBoostParams = {},
): XGBoostParams[] {
  let grid: XGBoostParams[] = [{ ...base }];
  for (const [key, values] of Object.entries(space)) {
    if (values.length === 0) throw new GridSearchError(`parameterGrid: no values for '${key}'`);
    grid = grid.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return grid;
}

/** Copies a matrix into shared memory so workers can read it without copies. */
function shared(m: FeatureMatrix): FeatureMatrix {
  const data = new Float32Array(new SharedArrayBuffer(m.data.byteLength));
  data.set(m.data);
  return { ...m, data };
}

interface WorkerReply {
  id: number;
  error?: string;
  bytes?: Uint8Array;
  scores?: Float32Array;
  trainMs?: number;
}

/**
 * Trains one model per parameter set, spread over worker threads; results come
 * back in the order of `grid`.
 * @throws GridSearchError if the grid is empty or a worker fails (naming the parameters).
 */
export async function gridSearch(
  features: FeatureInput,
  labels: ArrayLike<number> | Vector,
  grid: readonly XGBoostParams[],
  options: GridSearchOptions = {},
): Promise<GridResult[]> {
  if (grid.length === 0) throw new GridSearchError('gridSearch: the grid is empty');
  const train = shared(featureMatrix(features));
  const y = labelArray(labels);
  const trainLabels = new Float32Array(new SharedArrayBuffer(y.byteLength));
  trainLabels.set(y);
  const valid = options.valid ? shared(featureMatrix(options.valid.features, train.names)) : undefined;
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), grid.length));
  const results = new Array<GridResult>(grid.length);
  let next = 0;
  const workers = Array.from(
    { length: workerCount },
    () => new Worker(new URL('./grid-worker.js', import.meta.url), { workerData: { train, trainLabels, valid } }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= grid.length) return resolve();
              const id = next++;
              worker.postMessage({ id, params: grid[id] });
            };
            worker.on('message', (reply: WorkerReply) => {
              if (reply.error !== undefined) {
                reject(
                  new GridSearchError(
                    `gridSearch: training with ${JSON.stringify(grid[reply.id])} failed: ${reply.error}`,
                  ),
                );
                return;
              }
              const result: GridResult = { params: grid[reply.id]!, trainMs: reply.trainMs!, bytes: reply.bytes! };
              if (options.valid && reply.scores) {
                result.metrics = binaryMetrics(options.valid.labels, reply.scores, options.threshold ?? 0.5);
              }
              results[reply.id] = result;
              send();
            });
            worker.on('error', (e) => reject(new GridSearchError(`gridSearch: worker failed: ${e.message}`)));
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
