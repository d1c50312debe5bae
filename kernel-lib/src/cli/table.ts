/**
 * `stillwater table describe|read|history|write` (and the table-changing commands of
 * `table-dml.ts`) — the lakehouse contract later
 * issues and checks rely on (issue 2). Every command takes `--json` for
 * machine-readable output; errors go through `run-cli.ts` (typed name + message).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { type Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { readParquet } from 'parquet-wasm';
import {
  DeltaTable,
  InvalidArgumentError,
  parseTimestampMicros,
  type SnapshotOptions,
  typeToString,
} from '../lakehouse/index.js';
import { csvToArrow } from './csv-input.js';
import { registerTableDmlCommands } from './table-dml.js';
import { csvField, tableRows } from './table-output.js';

interface TimeTravelFlags {
  version?: number;
  timestamp?: string;
  json?: boolean;
}

function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n))
      throw new CommanderArgError(`${name} must be an integer ≥ 0`);
    return n;
  };
}

function timeTravel(o: TimeTravelFlags): SnapshotOptions {
  if (o.version !== undefined && o.timestamp !== undefined) {
    throw new InvalidArgumentError('give either --version or --timestamp, not both');
  }
  // The lakehouse's own parser: Date.parse rolls 2026-02-30 over to March 2.
  if (o.timestamp !== undefined && parseTimestampMicros(o.timestamp) === undefined) {
    throw new InvalidArgumentError(
      `--timestamp ${JSON.stringify(o.timestamp)} is not a valid ISO-8601 date/time (like 2024-01-31T12:00:00Z)`,
    );
  }
  return {
    ...(o.version !== undefined ? { version: o.version } : {}),
    ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
  };
}

/** `a,b` → [a, b]; an empty list or an empty name (`,`, `a,,b`) is an error, not "every column". */
function columnList(flag: string, value: string): string[] {
  const names = value.split(',').map((c) => c.trim());
  if (names.every((n) => n === '')) throw new InvalidArgumentError(`${flag} ${JSON.stringify(value)} names no column`);
  const at = names.indexOf('');
  if (at >= 0) {
    throw new InvalidArgumentError(`${flag} ${JSON.stringify(value)} has an empty column name at position ${at + 1}`);
  }
  return names;
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

const versionOption = () =>
  new Option('--version <n>', 'time travel to this version').argParser(nonNegativeInt('--version'));
const timestampOption = () => new Option('--timestamp <iso>', 'time travel to the version current at this time');

export function registerTableCommands(program: Command): void {
  // `table describe --version N` must reach the subcommand, not the root's `--version` flag:
  // root options are then only recognised before the command name (`stillwater --version` still works).
  program.enablePositionalOptions();
  // `stillwater table read … | head` closes the pipe early: that is success, not a crash.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const table = program
    .command('table')
    .description('Delta tables: describe, read, history, write, delete, update, merge, optimize, vacuum, restore');

  table
    .command('describe <path>')
    .description('version, schema, partition columns, files, rows, protocol and properties of a table')
    .addOption(versionOption())
    .addOption(timestampOption())
    .option('--json', 'print JSON')
    .action(async (p: string, o: TimeTravelFlags) => {
      const d = await new DeltaTable(p).describe(timeTravel(o));
      if (o.json) return print(JSON.stringify(d));
      const lines = [
        `table       ${d.path}`,
        `version     ${d.version}`,
        `files       ${d.numFiles} (${d.sizeInBytes} bytes)`,
        `rows        ${d.numRows}`,
        `partitioned ${d.partitionColumns.length ? d.partitionColumns.join(', ') : 'no'}`,
        `protocol    reader ${d.protocol.minReaderVersion}, writer ${d.protocol.minWriterVersion}`,
        'schema',
        ...d.schema.fields.map((f) => `  ${f.name}: ${typeToString(f.type)}${f.nullable ? '' : ' NOT NULL'}`),
        ...(Object.keys(d.properties).length
          ? ['properties', ...Object.entries(d.properties).map(([k, v]) => `  ${k}=${v}`)]
          : []),
      ];
      print(lines.join('\n'));
    });

  table
    .command('read <path>')
    .description('print rows (JSON lines by default)')
    .addOption(versionOption())
    .addOption(timestampOption())
    .option('--columns <a,b>', 'columns to return, comma-separated')
    .option('--where <expr>', 'row filter, e.g. "unit = 3 and cycle > 100"')
    .option('--limit <n>', 'at most this many rows', nonNegativeInt('--limit'))
    .addOption(new Option('--format <fmt>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--json', 'print one JSON document {version, columns, rows}')
    .action(
      async (
        p: string,
        o: TimeTravelFlags & { columns?: string; where?: string; limit?: number; format: 'jsonl' | 'csv' },
      ) => {
        const t = new DeltaTable(p);
        const snap = await t.snapshot(timeTravel(o));
        const columns = o.columns === undefined ? undefined : columnList('--columns', o.columns);
        const data = await t.read({
          version: snap.version,
          ...(columns ? { columns } : {}),
          ...(o.where !== undefined ? { where: o.where } : {}),
          ...(o.limit !== undefined ? { limit: o.limit } : {}),
        });
        const names = data.schema.fields.map((f) => f.name);
        if (o.json) {
          return print(JSON.stringify({ version: snap.version, columns: names, rows: [...tableRows(data)] }));
        }
        const out: string[] = [];
        if (o.format === 'csv') {
          out.push(names.map((n) => csvField(n)).join(','));
          for (const row of tableRows(data)) out.push(names.map((n) => csvField(row[n] ?? null)).join(','));
        } else {
          for (const row of tableRows(data)) out.push(JSON.stringify(row));
        }
        if (out.length) print(out.join('\n'));
      },
    );

  table
    .command('history <path>')
    .description('commits, newest first (from commitInfo)')
    .option('--limit <n>', 'only the newest n commits', nonNegativeInt('--limit'))
    .option('--json', 'print JSON')
    .action(async (p: string, o: { limit?: number; json?: boolean }) => {
      const h = await new DeltaTable(p).history(o.limit);
      if (o.json) return print(JSON.stringify(h));
      const lines = h.map((e) => {
        const params = e.operationParameters ? ` ${JSON.stringify(e.operationParameters)}` : '';
        const rows = (e.operationMetrics as Record<string, unknown> | undefined)?.numOutputRows;
        return `${String(e.version).padStart(6)}  ${new Date(e.timestamp).toISOString()}  ${e.operation ?? '?'}${params}${rows !== undefined ? ` rows=${rows}` : ''}`;
      });
      print(lines.join('\n') || '(no commits)');
    });

  table
    .command('write <path>')
    .description('write a CSV or Parquet file into a table (created when missing)')
    .requiredOption('--from <file>', 'input file: .csv or .parquet')
    .addOption(
      new Option('--mode <mode>', 'how to treat existing data').choices(['append', 'overwrite']).default('append'),
    )
    .option('--partition-by <col>', 'partition column(s) of a new table, comma-separated')
    .option('--merge-schema', 'add columns the table does not have yet')
    .option('--json', 'print JSON')
    .action(
      async (
        p: string,
        o: { from: string; mode: 'append' | 'overwrite'; partitionBy?: string; mergeSchema?: boolean; json?: boolean },
      ) => {
        const t = new DeltaTable(p);
        const existing = (await t.exists()) ? await t.snapshot() : undefined;
        const data = await readInput(o.from, existing?.schema);
        const partitionBy = o.partitionBy === undefined ? undefined : columnList('--partition-by', o.partitionBy);
        const r = await t.write(data, {
          mode: o.mode,
          ...(partitionBy ? { partitionBy } : {}),
          ...(o.mergeSchema ? { mergeSchema: true } : {}),
        });
        if (o.json) return print(JSON.stringify({ path: t.path, mode: o.mode, ...r }));
        print(`wrote ${r.numRows} rows in ${r.numFiles} file(s) to ${t.path} (${o.mode}): version ${r.version}`);
      },
    );
  registerTableDmlCommands(table);
}

/** Rows of a .csv or .parquet input file (`flag` names the option in errors). */
export async function readInput(
  file: string,
  schema?: import('../lakehouse/index.js').StructType,
  flag = '--from',
): Promise<arrow.Table> {
  const ext = path.extname(file).toLowerCase();
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (ext === '.csv') return csvToArrow(bytes.toString('utf8'), file, schema);
  if (ext === '.parquet') {
    try {
      return arrow.tableFromIPC(readParquet(new Uint8Array(bytes)).intoIPCStream());
    } catch (e) {
      throw new InvalidArgumentError(
        `${flag} ${file} is not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  throw new InvalidArgumentError(`${flag} ${file}: unsupported file type ${ext || '(none)'}; use .csv or .parquet`);
}
