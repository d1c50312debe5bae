import { describe, expect, it } from 'vitest';
import { parseParamValue, parseStepArgs, type StepMeta } from '../../../kernel-lib/src/pipeline/runtime/args.js';
import { parseStepErrorLine, StepUsageError } from '../../../kernel-lib/src/pipeline/runtime/errors.js';

const meta: StepMeta = {
  step: 'train',
  inputs: { table: 'arrow', rows: 'structured-clone' },
  outputs: { model: 'xgboost-model' },
  parameters: { rate: { type: 'number', default: 0.1 }, name: { type: 'string', default: 'x' } },
  metrics: ['rmse'],
};

describe('parseStepArgs (STEP-CONTRACT.md)', () => {
  it('reads --in/--out/--param/--metrics in both spellings', () => {
    const a = parseStepArgs(
      [
        '--in',
        'table=/a/t.arrow',
        '--in=rows=/a/r',
        '--out',
        'model=/b/m=1',
        '--param',
        'rate=0.5',
        '--metrics=/m.json',
      ],
      meta,
    );
    expect([...a.inputs]).toEqual([
      ['table', '/a/t.arrow'],
      ['rows', '/a/r'],
    ]);
    expect([...a.outputs]).toEqual([['model', '/b/m=1']]);
    expect([...a.params]).toEqual([['rate', 0.5]]);
    expect(a.metricsPath).toBe('/m.json');
  });

  it('reads --run-context and refuses one that is not the context object', () => {
    const base = ['--in', 'table=t', '--in', 'rows=r'];
    const context = { runId: 'r1', step: 'train', notebook: 'nb.ipynb', artifacts: null };
    expect(parseStepArgs([...base, '--run-context', JSON.stringify(context)], meta).runContext).toEqual(context);
    expect(() => parseStepArgs([...base, '--run-context', '{"runId":""}'], meta)).toThrow(
      /^step "train": --run-context expects \{"runId","step","notebook","artifacts"\} strings/,
    );
    expect(() => parseStepArgs([...base, '--run-context=nope'], meta)).toThrow(
      /^step "train": --run-context is not JSON/,
    );
  });

  it('rejects unknown and missing names with StepUsageError naming them', () => {
    const base = ['--in', 'table=t', '--in', 'rows=r'];
    expect(() => parseStepArgs([...base, '--in', 'tabel=x'], meta)).toThrow(
      new StepUsageError('step "train" has no input "tabel" (inputs: table, rows)', 'tabel'),
    );
    expect(() => parseStepArgs([...base, '--out', 'mdl=x'], meta)).toThrow(
      'step "train" has no output "mdl" (outputs: model)',
    );
    expect(() => parseStepArgs([...base, '--param', 'depth=3'], meta)).toThrow(
      'step "train" does not use parameter "depth" (parameters: rate, name)',
    );
    expect(() => parseStepArgs(['--in', 'table=t'], meta)).toThrow(
      'step "train": missing --in rows=PATH (required input)',
    );
    // Names of Object.prototype are names like any other (issue 12 item 8).
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect(() => parseStepArgs([...base, '--param', `${name}=1`], meta)).toThrow(
        `step "train" does not use parameter "${name}"`,
      );
      expect(() => parseStepArgs([...base, '--in', `${name}=x`], meta)).toThrow(`step "train" has no input "${name}"`);
      expect(() => parseStepArgs([...base, '--out', `${name}=x`], meta)).toThrow(
        `step "train" has no output "${name}"`,
      );
    }
    expect(() => parseStepArgs([...base, '--verbose'], meta)).toThrow('step "train": unknown argument "--verbose"');
    expect(() => parseStepArgs([...base, '--out'], meta)).toThrow('step "train": --out needs a value');
    expect(() => parseStepArgs([...base, '--out', 'model'], meta)).toThrow(
      'step "train": --out expects NAME=PATH, got "model"',
    );
  });

  it('parses parameter values by declared type', () => {
    expect(parseParamValue('s', 'n', 'number', '-2.5e3')).toBe(-2500);
    expect(parseParamValue('s', 'n', 'string', ' a=b ')).toBe(' a=b ');
    expect(parseParamValue('s', 'n', 'boolean', 'false')).toBe(false);
    expect(parseParamValue('s', 'n', 'json', '{"a":[1,null]}')).toEqual({ a: [1, null] });
    expect(() => parseParamValue('s', 'n', 'number', 'abc')).toThrow(
      'step "s": --param n="abc": expected a finite number',
    );
    expect(() => parseParamValue('s', 'n', 'number', '')).toThrow('expected a finite number');
    expect(() => parseParamValue('s', 'n', 'boolean', 'yes')).toThrow(
      'step "s": --param n="yes": expected true or false',
    );
    expect(() => parseParamValue('s', 'n', 'json', '{')).toThrow(/step "s": --param n="\{": expected JSON/);
  });
});

describe('parseStepErrorLine', () => {
  it('reads the final stillwaterError line and ignores other stderr', () => {
    const line = { step: 'a', phase: 'run', name: 'TypeError', message: 'x', cell: 3, line: 2, column: 5 };
    expect(parseStepErrorLine(`noise\n${JSON.stringify({ stillwaterError: line })}\n`)).toEqual(line);
    expect(parseStepErrorLine('Error: boom\n    at x\n')).toBeUndefined();
  });
});
