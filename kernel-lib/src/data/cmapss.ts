/**
 * The C-MAPSS text format (NASA turbofan degradation data): one row per engine
 * cycle, 26 space-separated numbers — unit, cycle, 3 operational settings, 21
 * sensors — usually with trailing spaces. RUL files hold one integer per line:
 * the true remaining cycles at the end of each test unit, in unit order.
 *
 * Parsing is strict (every field must be a plain decimal number, unit and cycle
 * integers) because silently reading a shifted or truncated line would poison
 * every feature computed downstream; errors name file, line and column.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { makeVector, Table } from 'apache-arrow';
import { CmapssFormatError, DataError } from './errors.js';

/** The three operational settings, in file order. */
export const SETTING_COLUMNS = ['setting1', 'setting2', 'setting3'] as const;
/** The 21 sensor channels, in file order. */
export const SENSOR_COLUMNS = Array.from({ length: 21 }, (_, i) => `s${i + 1}`);
/** All 26 columns of a C-MAPSS row, in file order. */
export const CMAPSS_COLUMNS: readonly string[] = ['unit', 'cycle', ...SETTING_COLUMNS, ...SENSOR_COLUMNS];

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const FIELD = /\S+/g;

/** Counts lines so column buffers are allocated once. */
function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Splits text into lines, dropping blank lines at the end of the file only. */
function contentLines(text: string): string[] {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/**
 * Parses C-MAPSS text into an Arrow table: `unit`, `cycle` (Int32), `setting1`–`setting3`,
 * `s1`–`s21` (Float64). `file` names the source in error messages.
 * @throws CmapssFormatError on a blank line, a wrong field count, a non-numeric field,
 *   or a non-integer / non-positive unit or cycle.
 */
export function parseCmapss(text: string, file = '<text>'): Table {
  const capacity = lineCount(text);
  const unit = new Int32Array(capacity);
  const cycle = new Int32Array(capacity);
  const values = Array.from({ length: 24 }, () => new Float64Array(capacity));
  const lines = contentLines(text);
  for (let r = 0; r < lines.length; r++) {
    const line = lines[r]!.endsWith('\r') ? lines[r]!.slice(0, -1) : lines[r]!;
    const lineNo = r + 1;
    if (line.trim() === '') throw new CmapssFormatError(file, lineNo, 1, 'empty line');
    FIELD.lastIndex = 0;
    let f = 0;
    for (let m = FIELD.exec(line); m !== null; m = FIELD.exec(line)) {
      const token = m[0];
      const col = m.index + 1;
      if (f >= 26) {
        throw new CmapssFormatError(file, lineNo, col, `expected 26 fields, found more ('${token}')`, f + 1);
      }
      const name = CMAPSS_COLUMNS[f]!;
      if (f < 2) {
        if (!INTEGER.test(token)) {
          throw new CmapssFormatError(file, lineNo, col, `expected an integer, found '${token}'`, f + 1, name);
        }
        const v = Number(token);
        if (v < 1 || v > 2147483647) {
          throw new CmapssFormatError(file, lineNo, col, `expected a positive integer, found '${token}'`, f + 1, name);
        }
        (f === 0 ? unit : cycle)[r] = v;
      } else {
        if (!DECIMAL.test(token)) {
          throw new CmapssFormatError(file, lineNo, col, `expected a number, found '${token}'`, f + 1, name);
        }
        values[f - 2]![r] = Number(token);
      }
      f++;
    }
    if (f < 26) {
      throw new CmapssFormatError(file, lineNo, line.trimEnd().length + 1, `expected 26 fields, found ${f}`);
    }
  }
  const n = lines.length;
  const columns: Record<string, ReturnType<typeof makeVector>> = {
    unit: makeVector(unit.subarray(0, n)),
    cycle: makeVector(cycle.subarray(0, n)),
  };
  for (let i = 0; i < 24; i++) columns[CMAPSS_COLUMNS[i + 2]!] = makeVector(values[i]!.subarray(0, n));
  return new Table(columns);
}

/**
 * Parses a RUL file (one non-negative integer per line, unit i on line i) into a
 * table `unit`, `rul` (Int32).
 * @throws CmapssFormatError naming the line and column of a bad value.
 */
export function parseRul(text: string, file = '<text>'): Table {
  const lines = contentLines(text);
  const unit = new Int32Array(lines.length);
  const rul = new Int32Array(lines.length);
  for (let r = 0; r < lines.length; r++) {
    const line = lines[r]!.endsWith('\r') ? lines[r]!.slice(0, -1) : lines[r]!;
    const fields = [...line.matchAll(FIELD)];
    if (fields.length !== 1) {
      const col = fields.length === 0 ? 1 : fields[1]!.index! + 1;
      throw new CmapssFormatError(file, r + 1, col, `expected one integer, found ${fields.length} fields`);
    }
    const token = fields[0]![0];
    if (!INTEGER.test(token) || Number(token) < 0) {
      throw new CmapssFormatError(
        file,
        r + 1,
        fields[0]!.index! + 1,
        `expected a non-negative integer, found '${token}'`,
        1,
        'rul',
      );
    }
    unit[r] = r + 1;
    rul[r] = Number(token);
  }
  return new Table({ unit: makeVector(unit), rul: makeVector(rul) });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new DataError(`cannot read C-MAPSS file ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads and parses one C-MAPSS data file (train_/test_FDxxx.txt). */
export async function readCmapss(file: string): Promise<Table> {
  return parseCmapss(await readText(file), file);
}

/** Reads and parses one RUL file (RUL_FDxxx.txt). */
export async function readRul(file: string): Promise<Table> {
  return parseRul(await readText(file), file);
}

/** The three tables of one C-MAPSS subset. */
export interface TurbofanData {
  train: Table;
  test: Table;
  rul: Table;
}

/** File names of one subset inside a C-MAPSS directory. */
export function cmapssFiles(dir: string, subset = 'FD001'): { train: string; test: string; rul: string } {
  return {
    train: path.join(dir, `train_${subset}.txt`),
    test: path.join(dir, `test_${subset}.txt`),
    rul: path.join(dir, `RUL_${subset}.txt`),
  };
}

/**
 * Reads `train_<subset>.txt`, `test_<subset>.txt` and `RUL_<subset>.txt` from `dir`.
 * @throws DataError if the RUL file's unit count differs from the test file's.
 */
export async function readCmapssDir(dir: string, subset = 'FD001'): Promise<TurbofanData> {
  const files = cmapssFiles(dir, subset);
  const [train, test, rul] = await Promise.all([readCmapss(files.train), readCmapss(files.test), readRul(files.rul)]);
  const testUnits = new Set(test.getChild('unit')!.toArray() as Int32Array).size;
  if (testUnits !== rul.numRows) {
    throw new DataError(`${files.rul}: ${rul.numRows} RUL values for ${testUnits} test units in ${files.test}`);
  }
  return { train, test, rul };
}

/**
 * Formats a table with the 26 C-MAPSS columns back into the text format (space
 * separated, two trailing spaces like the original files). `decimals` fixes the
 * digits per column; other columns use the shortest round-trip representation.
 * @throws DataError if a C-MAPSS column is missing.
 */
export function formatCmapss(table: Table, decimals: Readonly<Record<string, number>> = {}): string {
  const columns = CMAPSS_COLUMNS.map((name) => {
    const v = table.getChild(name);
    if (!v) throw new DataError(`cannot format C-MAPSS text: column '${name}' is missing`);
    return v.toArray() as ArrayLike<number>;
  });
  const digits = CMAPSS_COLUMNS.map((name) => decimals[name]);
  const out: string[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const fields = new Array<string>(26);
    for (let c = 0; c < 26; c++) {
      const v = Number(columns[c]![r]);
      const d = digits[c];
      fields[c] = d === undefined ? String(v) : v.toFixed(d);
    }
    out.push(`${fields.join(' ')}  \n`);
  }
  return out.join('');
}

/** Formats a `unit`, `rul` table as a RUL file (one value per line, in row order). */
export function formatRul(rul: Table): string {
  const values = rul.getChild('rul');
  if (!values) throw new DataError("cannot format a RUL file: column 'rul' is missing");
  return Array.from(values.toArray() as Int32Array, (v) => `${v} \n`).join('');
}
