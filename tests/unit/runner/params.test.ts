import { describe, expect, it } from 'vitest';
import { ParameterError } from '../../../kernel-lib/src/runner/errors.js';
import { formatParamText as formatParameterValue } from '../../../kernel-lib/src/pipeline/runtime/param-text.js';
import { parseAssignments, resolveParameters } from '../../../kernel-lib/src/runner/params.js';

const declared = [
  { name: 'rate', type: 'number' as const, default: 0.1, cell: 1 },
  { name: 'label', type: 'string' as const, default: 'rul', cell: 1 },
  { name: 'fast', type: 'boolean' as const, default: false, cell: 1 },
  { name: 'cols', type: 'json' as const, default: ['a'], cell: 1 },
];

describe('parameters', () => {
  it('splits NAME=VALUE, keeping = inside values', () => {
    expect(parseAssignments(['a=1', 'q=x=y', 'e='])).toEqual({ a: '1', q: 'x=y', e: '' });
    expect(() => parseAssignments(['novalue'])).toThrow('--param expects NAME=VALUE, got `novalue`');
  });

  it('refuses __proto__, constructor and toString like any undeclared name (issue 12 item 8)', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const given = parseAssignments([`${name}=1`]);
      expect(Object.keys(given)).toEqual([name]);
      expect(() => resolveParameters(declared, given)).toThrow(
        new ParameterError(name, `unknown parameter \`${name}\`; the pipeline declares: rate, label, fast, cols`),
      );
    }
    // A declared parameter called `toString` is read from what was given, not from Object.prototype.
    const own = [{ name: 'toString', type: 'number' as const, default: 1, cell: 1 }];
    expect(resolveParameters(own, {})).toEqual({ toString: 1 });
    expect(resolveParameters(own, parseAssignments(['toString=2']))).toEqual({ toString: 2 });
  });

  it('types values by the declared type and fills defaults', () => {
    expect(resolveParameters(declared, { rate: '0.5', fast: 'true', cols: '["x","y"]', label: '42' })).toEqual({
      rate: 0.5,
      label: '42',
      fast: true,
      cols: ['x', 'y'],
    });
    expect(resolveParameters(declared, {})).toEqual({ rate: 0.1, label: 'rul', fast: false, cols: ['a'] });
    expect(resolveParameters(declared, { rate: 2 })).toMatchObject({ rate: 2 });
  });

  it('names the parameter and the expected type on a bad value', () => {
    expect(() => resolveParameters(declared, { rate: 'fast' })).toThrow(
      'parameter `rate` expects a number, got `fast`',
    );
    expect(() => resolveParameters(declared, { rate: '' })).toThrow(ParameterError);
    expect(() => resolveParameters(declared, { rate: 'Infinity' })).toThrow(ParameterError);
    expect(() => resolveParameters(declared, { fast: 'yes' })).toThrow('expects true or false');
    expect(() => resolveParameters(declared, { cols: '[1,' })).toThrow('expects a JSON value');
    expect(() => resolveParameters(declared, { rate: true })).toThrow('expects a number, got true');
    expect(() => resolveParameters(declared, { nope: '1' })).toThrow(
      'unknown parameter `nope`; the pipeline declares: rate, label, fast, cols',
    );
  });

  it('formats values as the step contract parses them', () => {
    expect(formatParameterValue('a b')).toBe('a b');
    expect(formatParameterValue(0.5)).toBe('0.5');
    expect(formatParameterValue(true)).toBe('true');
    expect(formatParameterValue({ a: [1] })).toBe('{"a":[1]}');
  });
});
