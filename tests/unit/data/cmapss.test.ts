import { describe, expect, it } from 'vitest';
import {
  CMAPSS_COLUMNS,
  CmapssFormatError,
  DataError,
  formatCmapss,
  parseCmapss,
  parseRul,
  readCmapssDir,
} from '../../../kernel-lib/src/data/index.js';
import { itWithShared, sharedPath } from '../../helpers/shared-data.js';

const row = (unit: number, cycle: number) =>
  `${unit} ${cycle} -0.0007 -0.0004 100.0 518.67 641.82 1589.70 1400.60 14.62 21.61 554.36 2388.06 9046.19 1.30 47.47 521.66 2388.02 8138.62 8.4195 0.03 392 2388 100.00 39.06 23.4190  `;

describe('parseCmapss', () => {
  it('reads 26 typed columns, tolerating trailing spaces, CRLF and a final newline', () => {
    const t = parseCmapss(`${row(1, 1)}\r\n${row(1, 2)}\n${row(2, 1)}\n\n`);
    expect(t.numRows).toBe(3);
    expect(t.schema.fields.map((f) => f.name)).toEqual(CMAPSS_COLUMNS);
    expect(String(t.schema.fields[0]!.type)).toBe('Int32');
    expect(String(t.schema.fields[1]!.type)).toBe('Int32');
    expect(String(t.schema.fields[2]!.type)).toBe('Float64');
    expect(Array.from(t.getChild('unit')!.toArray())).toEqual([1, 1, 2]);
    expect(t.getChild('setting1')!.get(0)).toBe(-0.0007);
    expect(t.getChild('s21')!.get(2)).toBe(23.419);
  });

  it('names file, line, column and field for a non-numeric value', () => {
    const bad = row(1, 2).replace('1589.70', '15x9.70');
    const err = (() => {
      try {
        parseCmapss(`${row(1, 1)}\n${bad}\n`, 'train.txt');
      } catch (e) {
        return e;
      }
    })() as CmapssFormatError;
    expect(err).toBeInstanceOf(CmapssFormatError);
    expect(err.message).toBe(
      `train.txt:2:${bad.indexOf('15x9') + 1} (field 8 's3'): expected a number, found '15x9.70'`,
    );
    expect([err.file, err.line, err.field, err.fieldName]).toEqual(['train.txt', 2, 8, 's3']);
  });

  it('rejects short lines, long lines, non-integer units and blank lines in the middle', () => {
    const short = row(1, 1).trimEnd().split(' ').slice(0, 24).join(' ');
    expect(() => parseCmapss(short, 'f')).toThrow(
      new CmapssFormatError('f', 1, short.length + 1, 'expected 26 fields, found 24'),
    );
    expect(() => parseCmapss(`${row(1, 1)} 7`, 'f')).toThrow(
      /^f:1:\d+ \(field 27\): expected 26 fields, found more \('7'\)$/,
    );
    expect(() => parseCmapss(row(1, 1).replace(/^1 1/, '1.5 1'), 'f')).toThrow(
      "f:1:1 (field 1 'unit'): expected an integer, found '1.5'",
    );
    expect(() => parseCmapss(row(1, 1).replace(/^1 1/, '1 0'), 'f')).toThrow(
      "f:1:3 (field 2 'cycle'): expected a positive integer, found '0'",
    );
    expect(() => parseCmapss(`${row(1, 1)}\n\n${row(1, 2)}`, 'f')).toThrow('f:2:1: empty line');
    expect(() => parseCmapss(row(1, 1).replace('641.82', 'NaN'), 'f')).toThrow(/expected a number, found 'NaN'/);
  });

  it('round-trips through formatCmapss', () => {
    const t = parseCmapss(`${row(1, 1)}\n${row(1, 2)}\n`);
    const again = parseCmapss(formatCmapss(t));
    for (const name of CMAPSS_COLUMNS) {
      expect(Array.from(again.getChild(name)!.toArray())).toEqual(Array.from(t.getChild(name)!.toArray()));
    }
  });
});

describe('parseRul', () => {
  it('reads one integer per line as unit, rul', () => {
    const t = parseRul('112 \n98\n69  \n');
    expect(Array.from(t.getChild('unit')!.toArray())).toEqual([1, 2, 3]);
    expect(Array.from(t.getChild('rul')!.toArray())).toEqual([112, 98, 69]);
  });
  it('names the line and column of a bad value', () => {
    expect(() => parseRul('112\n-3\n', 'RUL.txt')).toThrow(
      "RUL.txt:2:1 (field 1 'rul'): expected a non-negative integer, found '-3'",
    );
    expect(() => parseRul('112\n3 4\n', 'RUL.txt')).toThrow('RUL.txt:2:3: expected one integer, found 2 fields');
  });
});

describe('readCmapssDir', () => {
  it('reports a missing file with its path', async () => {
    await expect(readCmapssDir('/nonexistent-dir', 'FD001')).rejects.toThrow(DataError);
    await expect(readCmapssDir('/nonexistent-dir', 'FD001')).rejects.toThrow(
      /cannot read C-MAPSS file \/nonexistent-dir\/(train|test|RUL)_FD001\.txt/,
    );
  });

  itWithShared('cmapss/train_FD001.txt', 'reads the real FD001', async () => {
    const d = await readCmapssDir(sharedPath('cmapss'));
    expect([d.train.numRows, d.test.numRows, d.rul.numRows]).toEqual([20631, 13096, 100]);
  });
});
