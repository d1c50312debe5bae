/**
 * Grid search on worker threads. Workers load the compiled worker module, so
 * this test uses the built package (npm test builds before running vitest).
 */
import { describe, expect, it } from 'vitest';
import { prepareTurbofan, simulateTurbofan } from '../../../kernel-lib/dist/data/index.js';
import { GridSearchError, gridSearch, parameterGrid, XGBoostModel } from '../../../kernel-lib/dist/ml/index.js';

describe('gridSearch', () => {
  const p = prepareTurbofan(simulateTurbofan({ seed: 9, trainUnits: 20, testUnits: 20 }), { rolling: 5 });
  const features = p.train.select(p.features);
  const labels = p.train.getChild('label')!;

  it('expands a parameter grid', () => {
    expect(parameterGrid({ eta: [0.1, 0.3], max_depth: [3, 4] }, { rounds: 5 })).toEqual([
      { rounds: 5, eta: 0.1, max_depth: 3 },
      { rounds: 5, eta: 0.1, max_depth: 4 },
      { rounds: 5, eta: 0.3, max_depth: 3 },
      { rounds: 5, eta: 0.3, max_depth: 4 },
    ]);
    expect(() => parameterGrid({ eta: [] })).toThrow(new GridSearchError("parameterGrid: no values for 'eta'"));
  });

  it('trains every configuration on 2 workers, in grid order, with validation metrics', async () => {
    const grid = parameterGrid({ max_depth: [2, 3], rounds: [5, 10] });
    const results = await gridSearch(features, labels, grid, {
      workers: 2,
      valid: { features: p.test, labels: p.test.getChild('label')! },
    });
    expect(results.map((r) => r.params)).toEqual(grid);
    for (const r of results) {
      expect(r.trainMs).toBeGreaterThan(0);
      expect(r.metrics!.rows).toBe(p.test.numRows);
      const model = await XGBoostModel.fromBytes(r.bytes);
      expect(model.numTrees).toBe(r.params.rounds);
      expect(model.featureNames).toEqual(p.features);
      // The same model in this thread scores the validation set identically.
      const direct = await XGBoostModel.train(features, labels, r.params);
      expect(Array.from(model.predict(p.test))).toEqual(Array.from(direct.predict(p.test)));
      model.free();
      direct.free();
    }
  });

  it('names the parameters of a failing job and rejects an empty grid', async () => {
    await expect(gridSearch(features, labels, [{ rounds: 2 }, { rounds: 2, eta: 5 }], { workers: 2 })).rejects.toThrow(
      new GridSearchError(
        'gridSearch: training with {"rounds":2,"eta":5} failed: parameter eta must be in (0, 1], got 5',
      ),
    );
    await expect(gridSearch(features, labels, [])).rejects.toThrow('gridSearch: the grid is empty');
  });
});
