/**
 * `stillwater demo`: a tour of the lakehouse on its own — create a bronze
 * table, append, overwrite, time-travel to an older version, print the
 * history — on a small generated table. (The README's main job, `npm run
 * demo`, runs the turbofan pipeline instead.)
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import type { Command } from 'commander';
import { Lakehouse } from '../lakehouse/index.js';

/** A few engine cycles: unit id, cycle number, two sensor readings. */
function readings(units: number[], cycles: number, seed: number): arrow.Table {
  const unit: number[] = [];
  const cycle: number[] = [];
  const t30: number[] = [];
  const p15: number[] = [];
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (const u of units) {
    for (let c = 1; c <= cycles; c++) {
      unit.push(u);
      cycle.push(c);
      t30.push(Math.round((1580 + c * 0.4 + rand() * 5) * 100) / 100);
      p15.push(Math.round((21.6 - c * 0.002 + rand() * 0.05) * 1000) / 1000);
    }
  }
  return new arrow.Table({
    unit: arrow.vectorFromArray(unit, new arrow.Int32()),
    cycle: arrow.vectorFromArray(cycle, new arrow.Int32()),
    T30: arrow.vectorFromArray(t30, new arrow.Float64()),
    P15: arrow.vectorFromArray(p15, new arrow.Float64()),
  });
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('lakehouse tour: write a table, append, overwrite, time-travel, print history')
    .option('--dir <dir>', 'lakehouse root for the demo', '.stillwater/demo')
    .action(async (o: { dir: string }) => {
      const root = path.resolve(o.dir);
      const lh = new Lakehouse(root);
      const table = lh.table('bronze/engine_readings');
      // Start fresh, removing only the demo's own table (never the whole --dir).
      await fs.rm(table.path, { recursive: true, force: true });
      const log = (s: string): void => {
        process.stdout.write(`${s}\n`);
      };
      log(`lakehouse at ${root}`);
      const v0 = await table.write(readings([1, 2], 5, 7), { mode: 'error', partitionBy: ['unit'] });
      log(`v${v0.version}: created bronze/engine_readings with ${v0.numRows} rows in ${v0.numFiles} files`);
      const v1 = await table.append(readings([3], 5, 11));
      log(`v${v1.version}: appended ${v1.numRows} rows for unit 3`);
      const v2 = await table.overwrite(readings([1], 3, 13));
      log(`v${v2.version}: overwrote the table with ${v2.numRows} rows`);
      const now = await table.read();
      const then = await table.read({ version: 1, where: 'unit = 3', columns: ['unit', 'cycle', 'T30'] });
      log(`latest version has ${now.numRows} rows; time travel to v1, unit 3:`);
      for (const r of then.toArray()) log(`  ${JSON.stringify(r.toJSON())}`);
      log('history:');
      for (const h of await table.history()) {
        log(
          `  v${h.version} ${new Date(h.timestamp).toISOString()} ${h.operation} ${JSON.stringify(h.operationParameters)}`,
        );
      }
      const d = await table.describe();
      log(
        `describe: version ${d.version}, ${d.numFiles} files, ${d.numRows} rows, partitioned by ${d.partitionColumns.join(', ')}`,
      );
      log(`tables: ${(await lh.list()).join(', ')}`);
    });
}
