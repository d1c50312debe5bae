/**
 * `stillwater table delete|update|merge|optimize|vacuum|restore` — the
 * table-changing commands, with the conventions of the other `table`
 * commands: a table path first, `--json` for one machine-readable document,
 * typed errors through `run-cli.ts`. `--dry-run` reports what would change
 * (Spark-named metrics) without writing anything.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { type DmlResult, DeltaTable, InvalidArgumentError, type MergeOptions } from '../lakehouse/index.js';
import { readInput } from './table.js';

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** `--set col=expr` (repeatable) → { col: expr }. */
function collectAssignment(value: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CommanderArgError(`expected col=expr, got ${JSON.stringify(value)}`);
  return { ...prev, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

function number(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new CommanderArgError(`${name} must be a number ≥ 0`);
    return n;
  };
}

function report(p: string, r: DmlResult, json: boolean | undefined): void {
  if (json) {
    print(JSON.stringify({ path: path.resolve(p), ...r }));
    return;
  }
  const head =
    r.version !== undefined
      ? `${r.operation}: committed version ${r.version}`
      : `${r.operation}: nothing committed (${r.skipped ?? 'no changes'})`;
  const metrics = Object.entries(r.metrics)
    .filter(([k]) => !k.endsWith('TimeMs'))
    .map(([k, v]) => `  ${k}=${v}`);
  print([head, ...metrics].join('\n'));
}

const dryRun = () => new Option('--dry-run', 'report what would change; write and commit nothing');

export function registerTableDmlCommands(table: Command): void {
  table
    .command('delete <path>')
    .description('delete the rows matching --where (every row without it)')
    .option('--where <expr>', 'row filter, e.g. "unit = 3 and cycle > 100"')
    .addOption(dryRun())
    .option('--json', 'print JSON')
    .action(async (p: string, o: { where?: string; dryRun?: boolean; json?: boolean }) => {
      report(p, await new DeltaTable(p).delete(o.where, { ...(o.dryRun ? { dryRun: true } : {}) }), o.json);
    });

  table
    .command('update <path>')
    .description('set columns of the rows matching --where')
    .requiredOption('--set <col=expr>', 'assignment, repeatable (e.g. --set "s1=s1*2")', collectAssignment)
    .option('--where <expr>', 'row filter')
    .addOption(dryRun())
    .option('--json', 'print JSON')
    .action(async (p: string, o: { set: Record<string, string>; where?: string; dryRun?: boolean; json?: boolean }) => {
      const r = await new DeltaTable(p).update({
        set: o.set,
        ...(o.where !== undefined ? { where: o.where } : {}),
        ...(o.dryRun ? { dryRun: true } : {}),
      });
      report(p, r, o.json);
    });

  table
    .command('merge <path>')
    .description('merge a source (CSV/Parquet file or Delta table) into the table; target alias t, source alias s')
    .requiredOption('--source <file|table>', 'source rows: a .csv or .parquet file, or a Delta table directory')
    .requiredOption('--on <expr>', 'join condition, e.g. "t.unit = s.unit and t.cycle = s.cycle"')
    .option('--set <col=expr>', 'when matched: update these columns (repeatable)', collectAssignment)
    .option('--update-all', 'when matched: update every column from the source')
    .option('--delete-matched', 'when matched: delete the target row')
    .option('--insert <col=expr>', 'when not matched: insert with these values (repeatable)', collectAssignment)
    .option('--insert-all', 'when not matched: insert the source row')
    .option(
      '--delete-not-matched-by-source [condition]',
      'delete target rows no source row matches (optionally only these)',
    )
    .addOption(dryRun())
    .option('--json', 'print JSON')
    .action(async (p: string, o: MergeFlags) => {
      const target = new DeltaTable(p);
      const snap = await target.snapshot();
      const source = existsSync(path.join(o.source, '_delta_log'))
        ? await new DeltaTable(o.source).read()
        : await readInput(o.source, snap.schema, '--source');
      report(p, await target.merge(source, mergeOptions(o)), o.json);
    });

  table
    .command('optimize <path>')
    .description('compact small files (dataChange false); --zorder-by clusters rows by columns')
    .option('--where <expr>', 'only the partitions matching this partition-column filter')
    .option('--target-size <bytes>', 'target file size', number('--target-size'))
    .option('--zorder-by <a,b>', 'Z-order by these columns, comma-separated')
    .addOption(dryRun())
    .option('--json', 'print JSON')
    .action(
      async (
        p: string,
        o: { where?: string; targetSize?: number; zorderBy?: string; dryRun?: boolean; json?: boolean },
      ) => {
        const zOrderBy = o.zorderBy
          ?.split(',')
          .map((c) => c.trim())
          .filter(Boolean);
        const r = await new DeltaTable(p).optimize({
          ...(o.where !== undefined ? { where: o.where } : {}),
          ...(o.targetSize !== undefined ? { targetSize: o.targetSize } : {}),
          ...(zOrderBy ? { zOrderBy } : {}),
          ...(o.dryRun ? { dryRun: true } : {}),
        });
        report(p, r, o.json);
      },
    );

  table
    .command('vacuum <path>')
    .description('delete files no version within the retention period needs')
    .option(
      '--retention-hours <h>',
      'keep files removed less than this long ago (default 168)',
      number('--retention-hours'),
    )
    .option('--force', 'allow a retention below the table minimum (only when nothing else uses the table)')
    .addOption(dryRun())
    .option('--json', 'print JSON')
    .action(async (p: string, o: { retentionHours?: number; force?: boolean; dryRun?: boolean; json?: boolean }) => {
      const r = await new DeltaTable(p).vacuum({
        ...(o.retentionHours !== undefined ? { retentionHours: o.retentionHours } : {}),
        ...(o.force ? { force: true } : {}),
        ...(o.dryRun ? { dryRun: true } : {}),
      });
      if (o.json) return print(JSON.stringify({ path: path.resolve(p), ...r }));
      const verb = r.dryRun ? 'would delete' : 'deleted';
      print(
        [`VACUUM: ${verb} ${r.numDeletedFiles} file(s), ${r.sizeInBytes} bytes`, ...r.files.map((f) => `  ${f}`)].join(
          '\n',
        ),
      );
    });

  table
    .command('restore <path>')
    .description('restore the table to an earlier version (a new commit; history is kept)')
    .addOption(new Option('--version <n>', 'the version to restore').argParser(number('--version')))
    .option('--timestamp <iso>', 'restore the version current at this time')
    .addOption(dryRun())
    .option('--json', 'print JSON')
    .action(async (p: string, o: { version?: number; timestamp?: string; dryRun?: boolean; json?: boolean }) => {
      if ((o.version === undefined) === (o.timestamp === undefined)) {
        throw new InvalidArgumentError('give exactly one of --version or --timestamp');
      }
      if (o.timestamp !== undefined && Number.isNaN(Date.parse(o.timestamp))) {
        throw new InvalidArgumentError(`--timestamp ${JSON.stringify(o.timestamp)} is not an ISO-8601 date/time`);
      }
      const r = await new DeltaTable(p).restore({
        ...(o.version !== undefined ? { version: o.version } : { timestamp: o.timestamp! }),
        ...(o.dryRun ? { dryRun: true } : {}),
      });
      report(p, r, o.json);
    });
}

interface MergeFlags {
  source: string;
  on: string;
  set?: Record<string, string>;
  updateAll?: boolean;
  deleteMatched?: boolean;
  insert?: Record<string, string>;
  insertAll?: boolean;
  deleteNotMatchedBySource?: boolean | string;
  dryRun?: boolean;
  json?: boolean;
}

function mergeOptions(o: MergeFlags): MergeOptions {
  const matched = [o.set, o.updateAll, o.deleteMatched].filter((x) => x !== undefined).length;
  if (matched > 1) throw new InvalidArgumentError('give at most one of --set, --update-all and --delete-matched');
  if (o.insert && o.insertAll) throw new InvalidArgumentError('give either --insert or --insert-all, not both');
  const opts: MergeOptions = { on: o.on };
  if (o.set || o.updateAll) opts.whenMatchedUpdate = { set: o.updateAll ? '*' : o.set! };
  if (o.deleteMatched) opts.whenMatchedDelete = true;
  if (o.insert || o.insertAll) opts.whenNotMatchedInsert = { values: o.insertAll ? '*' : o.insert! };
  if (o.deleteNotMatchedBySource !== undefined) {
    opts.whenNotMatchedBySourceDelete =
      typeof o.deleteNotMatchedBySource === 'string' ? { condition: o.deleteNotMatchedBySource } : true;
  }
  if (o.dryRun) opts.dryRun = true;
  return opts;
}
