/**
 * A grid-search worker: one WASM XGBoost instance; trains the jobs it is sent
 * on the shared training matrix and replies with model bytes and validation scores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureMatrix } from './matrix.js';
import { XGBoostModel, type XGBoostParams } from './xgboost.js';

const { train, trainLabels, valid } = workerData as {
  train: FeatureMatrix;
  trainLabels: Float32Array;
  valid?: FeatureMatrix;
};

parentPort!.on('message', async ({ id, params }: { id: number; params: XGBoostParams }) => {
  try {
    const start = performance.now();
    const model = await XGBoostModel.fromMatrix(train, trainLabels, params);
    const trainMs = performance.now() - start;
    const scores = valid ? model.predictMatrix(valid) : undefined;
    const bytes = model.toBytes();
    model.free();
    const transfer = [bytes.buffer as ArrayBuffer, ...(scores ? [scores.buffer as ArrayBuffer] : [])];
    parentPort!.postMessage({ id, bytes, scores, trainMs }, transfer);
  } catch (e) {
    parentPort!.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
