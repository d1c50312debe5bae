/**
 * What the cases copy: a small Delta table with three versions, and a compiled
 * two-step pipeline with one parameter of each type.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { cliPath } from '../../helpers/paths.js';
import { cell, TSLAB } from './harness.js';

function rows(from: number, n: number): arrow.Table {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  return new arrow.Table({
    id: arrow.vectorFromArray(
      ids.map((i) => BigInt(i)),
      new arrow.Int64(),
    ),
    name: arrow.vectorFromArray(
      ids.map((i) => `n${i}`),
      new arrow.Utf8(),
    ),
    score: arrow.vectorFromArray(
      ids.map((i) => i / 4),
      new arrow.Float64(),
    ),
    d: arrow.vectorFromArray(
      ids.map((i) => new Date(Date.UTC(2024, 0, 1 + i))),
      new arrow.DateDay(),
    ),
    ts: arrow.vectorFromArray(
      ids.map((i) => Date.UTC(2024, 0, 1, i)),
      new arrow.TimestampMillisecond('UTC'),
    ),
  });
}

/** Versions 0, 1, 2 of 3 rows each. */
export async function makeTemplateTable(dir: string): Promise<string> {
  const t = new DeltaTable(path.join(dir, 'table'));
  for (let v = 0; v < 3; v++) await t.write(rows(v * 3, 3), { mode: 'append' });
  return t.path;
}

/** Parameters N (number), FLAG (boolean), LABEL (string), CFG (json); steps `make` → `report`. */
export async function makeTemplatePipeline(dir: string): Promise<string> {
  const root = path.join(dir, 'pipe');
  mkdirSync(root, { recursive: true });
  const nb = path.join(root, 'nb.ipynb');
  writeFileSync(
    nb,
    JSON.stringify({
      ...TSLAB,
      cells: [
        cell(['pipeline-parameters'], "const N = 3;\nconst FLAG = false;\nconst LABEL = 'x';\nconst CFG = { a: 1 };"),
        cell(['step:make'], 'const values = Array.from({ length: N }, (_, i) => i * CFG.a);'),
        cell(['step:report', 'prev:make'], 'console.log(LABEL, FLAG, values.length);'),
      ],
    }),
  );
  await promisify(execFile)(process.execPath, [cliPath, 'compile', nb]);
  return root;
}
