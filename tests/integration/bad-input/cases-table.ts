/** `stillwater table …` with bad paths, bad logs, bad files and bad flags. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BadInputCase } from './harness.js';

const commit = (table: string, v: number) => path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`);
const dataFiles = (table: string) => readdirSync(table).filter((f) => f.endsWith('.parquet'));
const nested = (depth: number, inner: string) => `${'('.repeat(depth)}${inner}${')'.repeat(depth)}`;
/** The template table's first data file, named in errors about it. */
const firstDataFile = (table: string) => dataFiles(table).sort()[0]!;

const read = (name: string, names: RegExp, flags: string[], item?: number): BadInputCase => ({
  area: 'table',
  name,
  ...(item !== undefined ? { item } : {}),
  setup: (c) => ['table', 'read', c.table(), ...flags],
  names,
});

export const tableCases: BadInputCase[] = [
  {
    area: 'table',
    name: 'write a header-only CSV into a new table',
    item: 5,
    setup: (c) => ['table', 'write', 'fresh', '--from', c.file('h.csv', 'a,b\n')],
    names: /h\.csv/,
  },
  {
    area: 'table',
    name: 'write an empty CSV file',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('empty.csv', '')],
    names: /empty\.csv/,
  },
  read('--where with 2,000 nested parentheses', /--where|filter/i, ['--where', nested(2000, 'id = 1')], 6),
  read(
    '--where with 2,000 nested "not ("',
    /--where|filter/i,
    ['--where', `${'not ('.repeat(2000)}id = 1${')'.repeat(2000)}`],
    6,
  ),
  read('--where naming a missing column', /nosuch/, ['--where', 'nosuch = 1']),
  read('--where with a dangling operator', /--where|filter|position/i, ['--where', 'id =']),
  read('--where with an unterminated string', /string|position/i, ['--where', "name = 'abc"]),
  read('--where comparing a date column with a number', /column 'd'/, ['--where', 'd > 5']),
  read('--where with an impossible date literal', /2026-02-30/, ['--where', "d = DATE '2026-02-30'"], 10),
  read(
    '--where with an impossible timestamp literal',
    /2026-02-30/,
    ['--where', "ts > TIMESTAMP '2026-02-30 00:00:00'"],
    10,
  ),
  read('--where with a 25:00 timestamp', /25:00/, ['--where', "ts > '2026-01-01 25:00:00'"], 10),
  read('--columns ","', /--columns/, ['--columns', ','], 11),
  read('--columns " , "', /--columns/, ['--columns', ' , '], 11),
  read('--columns naming a missing column', /nosuch/, ['--columns', 'id,nosuch']),
  read('--timestamp 2026-02-30T00:00:00Z', /2026-02-30/, ['--timestamp', '2026-02-30T00:00:00Z'], 10),
  read('--timestamp 2026-04-31', /2026-04-31/, ['--timestamp', '2026-04-31T12:00:00Z'], 10),
  read('--timestamp 2025-02-29 (not a leap year)', /2025-02-29/, ['--timestamp', '2025-02-29T00:00:00Z'], 10),
  read('--timestamp with hour 24', /24:30/, ['--timestamp', '2026-01-01T24:30:00Z'], 10),
  read('--timestamp month 13', /2026-13-01/, ['--timestamp', '2026-13-01'], 10),
  read('--timestamp yesterday', /yesterday/, ['--timestamp', 'yesterday']),
  read('--version beyond the latest', /version 99/, ['--version', '99']),
  read('--version -1', /--version/, ['--version', '-1']),
  read('--version and --timestamp together', /--version.*--timestamp/, ['--version', '1', '--timestamp', '2024-01-01']),
  read('--limit abc', /--limit/, ['--limit', 'abc']),
  read('--format xml', /--format/, ['--format', 'xml']),
  {
    area: 'table',
    name: 'history of a folder that is not a table',
    item: 9,
    setup: (c) => ['table', 'history', c.file('plain/readme.txt', 'hello') && path.join(c.dir, 'plain')],
    names: /plain.*not a Delta table/,
  },
  {
    area: 'table',
    name: 'history with commit 1 missing',
    item: 9,
    setup: (c) => {
      const t = c.table();
      rmSync(commit(t, 1));
      return ['table', 'history', t];
    },
    names: /00000000000000000001\.json/,
  },
  {
    area: 'table',
    name: 'history of a path that is a file',
    item: 13,
    setup: (c) => ['table', 'history', c.file('afile', 'x')],
    names: /afile.*is a file/,
  },
  {
    area: 'table',
    name: 'read a path that is a file',
    item: 13,
    setup: (c) => ['table', 'read', c.file('afile', 'x')],
    names: /afile.*is a file/,
  },
  {
    area: 'table',
    name: 'describe a path that is a file',
    item: 13,
    setup: (c) => ['table', 'describe', c.file('afile', 'x')],
    names: /afile.*is a file/,
  },
  {
    area: 'table',
    name: 'read a table whose _delta_log is a file',
    item: 13,
    setup: (c) => ['table', 'read', c.file('t2/_delta_log', 'x') && path.join(c.dir, 't2')],
    names: /_delta_log.*is a file/,
  },
  {
    area: 'table',
    name: 'write into a path that is a file',
    item: 13,
    setup: (c) => ['table', 'write', c.file('afile', 'x'), '--from', c.file('ok.csv', 'a\n1\n')],
    names: /afile.*is a file/,
  },
  {
    area: 'table',
    name: 'read a missing path',
    setup: () => ['table', 'read', 'nowhere'],
    names: /nowhere.*not a Delta table/,
  },
  {
    area: 'table',
    name: 'read an empty _delta_log',
    setup: (c) => {
      mkdirSync(path.join(c.dir, 'e', '_delta_log'), { recursive: true });
      return ['table', 'read', 'e'];
    },
    names: /e.*not a Delta table/,
  },
  {
    area: 'table',
    name: 'read a table whose newest commit file is empty',
    item: 14,
    setup: (c) => {
      const t = c.table();
      writeFileSync(commit(t, 3), '');
      return ['table', 'read', t];
    },
    names: /00000000000000000003\.json/,
  },
  {
    area: 'table',
    name: 'read a table whose newest commit has a torn last line',
    setup: (c) => {
      const t = c.table();
      writeFileSync(commit(t, 3), '{"commitInfo":{"timestamp":1}}\n{"add":{"path":"x.parq');
      return ['table', 'read', t];
    },
    names: /00000000000000000003\.json/,
  },
  {
    area: 'table',
    name: 'read a table with a hole in its log',
    setup: (c) => {
      const t = c.table();
      rmSync(commit(t, 1));
      return ['table', 'read', t];
    },
    names: /00000000000000000001\.json/,
  },
  {
    area: 'table',
    name: 'read a table whose first commit lost its metaData',
    setup: (c) => {
      const t = c.table();
      const lines = readFileSync(commit(t, 0), 'utf8').split('\n');
      writeFileSync(commit(t, 0), lines.filter((l) => !l.startsWith('{"metaData"')).join('\n'));
      return ['table', 'read', t];
    },
    names: /metaData|metadata/,
  },
  {
    area: 'table',
    name: 'read a table that needs an unknown reader feature',
    setup: (c) => {
      const t = c.table();
      writeFileSync(
        commit(t, 3),
        '{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["frobnicate"],"writerFeatures":["frobnicate"]}}\n',
      );
      return ['table', 'read', t];
    },
    names: /frobnicate/,
  },
  {
    area: 'table',
    name: 'read a table with a deleted data file',
    setup: (c) => {
      const t = c.table();
      rmSync(path.join(t, firstDataFile(t)));
      return ['table', 'read', t];
    },
    names: /\.parquet/,
  },
  {
    area: 'table',
    name: 'read a table with a garbage data file',
    setup: (c) => {
      const t = c.table();
      writeFileSync(path.join(t, firstDataFile(t)), 'not parquet at all');
      return ['table', 'read', t];
    },
    names: /\.parquet/,
  },
  {
    area: 'table',
    name: 'read a table with a corrupt checkpoint and commit 0 gone',
    item: 14,
    setup: (c) => {
      const t = c.table();
      writeFileSync(path.join(t, '_delta_log', `${'0'.repeat(19)}2.checkpoint.parquet`), 'garbage');
      rmSync(commit(t, 0));
      return ['table', 'read', t];
    },
    names: /checkpoint/,
  },
  {
    area: 'table',
    name: 'write --from a missing file',
    setup: (c) => ['table', 'write', c.table(), '--from', 'missing.csv'],
    names: /missing\.csv/,
  },
  {
    area: 'table',
    name: 'write --from a .txt file',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('data.txt', 'a\n1\n')],
    names: /data\.txt/,
  },
  {
    area: 'table',
    name: 'write --from a garbage .parquet file',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('bad.parquet', 'PAR1 nonsense')],
    names: /bad\.parquet/,
  },
  {
    area: 'table',
    name: 'write a CSV with a ragged row',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('ragged.csv', 'id,name\n1,a\n2\n')],
    names: /ragged\.csv/,
  },
  {
    area: 'table',
    name: 'write a CSV with a repeated column',
    setup: (c) => ['table', 'write', 'fresh', '--from', c.file('dup.csv', 'a,a\n1,2\n')],
    names: /dup\.csv.*column a/,
  },
  {
    area: 'table',
    name: 'write a CSV with an empty column name',
    setup: (c) => ['table', 'write', 'fresh', '--from', c.file('noname.csv', 'a,\n1,2\n')],
    names: /noname\.csv.*column 2/,
  },
  {
    area: 'table',
    name: 'write a CSV whose value does not fit a long column',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('v.csv', 'id,name\nabc,x\n')],
    names: /v\.csv.*column id/,
  },
  {
    area: 'table',
    name: 'write a CSV with an impossible date',
    item: 10,
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('v.csv', 'id,d\n1,2026-02-30\n')],
    names: /v\.csv.*column d/,
  },
  {
    area: 'table',
    name: 'write a CSV with an impossible timestamp',
    item: 10,
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('v.csv', 'id,ts\n1,2026-02-30T00:00:00Z\n')],
    names: /v\.csv.*column ts/,
  },
  {
    area: 'table',
    name: 'write a CSV with a column the table lacks',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('v.csv', 'id,extra\n1,2\n')],
    names: /column extra/,
  },
  {
    area: 'table',
    name: 'write --partition-by a missing column',
    setup: (c) => ['table', 'write', 'fresh', '--from', c.file('ok.csv', 'a\n1\n'), '--partition-by', 'nosuch'],
    names: /nosuch/,
  },
  {
    area: 'table',
    name: 'write --partition-by ","',
    item: 11,
    setup: (c) => ['table', 'write', 'fresh', '--from', c.file('ok.csv', 'a\n1\n'), '--partition-by', ','],
    names: /--partition-by/,
  },
  {
    area: 'table',
    name: 'write --mode bogus',
    setup: (c) => ['table', 'write', c.table(), '--from', c.file('ok.csv', 'id\n1\n'), '--mode', 'bogus'],
    names: /--mode/,
  },
];
