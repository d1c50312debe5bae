// XGBoost in WASM vs native XGBoost 1.7, on the turbofan example's FD001 features.
//  1. one model (binary:logistic, eta 0.3, depth 4, hist, 200 rounds): our XGBoostModel.train
//     from Arrow columns vs native single-threaded (nthread=1); ml-xgboost's own public API
//     (arrays of arrays through ml-matrix) is timed too, for reference. Target ≤ 3×.
//  2. a grid of 8 configurations: gridSearch over 2 worker threads vs native with nthread=2
//     training the same 8 one after another. Target ≤ 3×.
// Each side is run alternately and the best of the repeats is kept, because the machine is shared.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTurbofan, readCmapssDir } from '@stillwater/kernel/data';
import { featureMatrix, gridSearch, labelArray, parameterGrid, XGBoostModel } from '@stillwater/kernel/ml';

const here = path.dirname(fileURLToPath(import.meta.url));
const cmapss = path.resolve(here, '..', '..', '..', '..', 'shared', 'cmapss');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const GRID_REPEATS = Number(process.env.BENCH_GRID_REPEATS ?? 1);

const prepared = prepareTurbofan(await readCmapssDir(cmapss));
const features = prepared.train.select(prepared.features);
const labels = prepared.train.getChild('label');
const matrix = featureMatrix(features);
const dir = mkdtempSync(path.join(tmpdir(), 'sw-bench-xgb-'));
writeFileSync(path.join(dir, 'train.f32'), matrix.data);
writeFileSync(path.join(dir, 'train.y'), labelArray(labels));
console.log(`FD001 features: ${matrix.rows} rows × ${matrix.cols} columns; load average ${loadavg()[0].toFixed(1)}`);

const native = (mode, repeats, grid, nthread = 2) =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [
        path.join(here, 'native.py'),
        dir,
        String(matrix.cols),
        mode,
        String(repeats),
        ...(grid ? [JSON.stringify(grid), String(nthread)] : []),
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .at(-1),
  );

const params = { objective: 'binary:logistic', eta: 0.3, max_depth: 4, tree_method: 'hist', rounds: 200 };
const fmt = (s) => `${s.toFixed(2)} s`;

// --- 1. one model ---
await (await XGBoostModel.train(features, labels, { ...params, rounds: 1 })).free(); // load the WASM once
const ours = [];
const nativeSingle = [];
for (let i = 0; i < REPEATS; i++) {
  const t = performance.now();
  const model = await XGBoostModel.train(features, labels, params);
  ours.push((performance.now() - t) / 1000);
  model.free();
  nativeSingle.push(...native('single', 1).times);
}
// ml-xgboost's public API: arrays of arrays via ml-matrix, defaults overridden to the same parameters.
const require = createRequire(import.meta.url);
const MLXGBoost = await require('ml-xgboost');
const rows = Array.from({ length: matrix.rows }, (_, r) =>
  Array.from(matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols)),
);
const y = Array.from(labelArray(labels));
let t = performance.now();
const plain = new MLXGBoost({
  booster: 'gbtree',
  objective: 'binary:logistic',
  eta: 0.3,
  max_depth: 4,
  tree_method: 'hist',
  subsample: 1,
  colsample_bytree: 1,
  min_child_weight: 1,
  iterations: 200,
});
plain.train(rows, y);
const plainTime = (performance.now() - t) / 1000;
plain.free();

const best = (xs) => Math.min(...xs);
console.log('\n1. one model, 200 rounds, hist, depth 4');
console.log(
  `  stillwater XGBoostModel.train (WASM, from Arrow): best ${fmt(best(ours))}  [${ours.map(fmt).join(', ')}]`,
);
console.log(`  ml-xgboost public API (WASM, arrays of arrays):  ${fmt(plainTime)}`);
console.log(
  `  native XGBoost 1.7, nthread=1:                    best ${fmt(best(nativeSingle))}  [${nativeSingle.map(fmt).join(', ')}]`,
);
console.log(`  ratio stillwater / native 1 thread: ${(best(ours) / best(nativeSingle)).toFixed(2)}×  (target ≤ 3×)`);
console.log(`  ratio ml-xgboost API / native 1 thread: ${(plainTime / best(nativeSingle)).toFixed(2)}×`);

// --- 2. grid of 8 ---
const grid = parameterGrid(
  { eta: [0.1, 0.3], max_depth: [3, 4], subsample: [0.8, 1] },
  {
    objective: 'binary:logistic',
    tree_method: 'hist',
    rounds: 200,
  },
);
const ourGrid = [];
const nativeGrid = [];
const nativeGrid1 = [];
for (let i = 0; i < GRID_REPEATS; i++) {
  t = performance.now();
  const results = await gridSearch(features, labels, grid, { workers: 2 });
  ourGrid.push((performance.now() - t) / 1000);
  if (results.length !== 8) throw new Error('grid search lost results');
  nativeGrid.push(...native('grid', 1, grid, 2).walls);
  nativeGrid1.push(...native('grid', 1, grid, 1).walls);
}
console.log('\n2. grid search, 8 configurations (eta × max_depth × subsample), 200 rounds each');
console.log(`  stillwater gridSearch, 2 worker threads: best ${fmt(best(ourGrid))}  [${ourGrid.map(fmt).join(', ')}]`);
console.log(
  `  native XGBoost 1.7, nthread=2, sequential: best ${fmt(best(nativeGrid))}  [${nativeGrid.map(fmt).join(', ')}]`,
);
console.log(
  `  native XGBoost 1.7, nthread=1, sequential: best ${fmt(best(nativeGrid1))}  [${nativeGrid1.map(fmt).join(', ')}]`,
);
console.log(`  ratio stillwater / native 2 threads: ${(best(ourGrid) / best(nativeGrid)).toFixed(2)}×  (target ≤ 3×)`);
console.log(`  ratio stillwater / native 1 thread (reference): ${(best(ourGrid) / best(nativeGrid1)).toFixed(2)}×`);
console.log(
  `  load average during the run: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`,
);
rmSync(dir, { recursive: true, force: true });
