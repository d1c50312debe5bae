import { describe, expect, it } from 'vitest';
import { nodeUsage } from '../../../kernel-lib/src/pipeline/program.js';

describe('nodeUsage (how much of @types/node a notebook needs)', () => {
  it.each([
    ['const a = [1, 2].map((x) => x * 2);', 'none'],
    ["const root = process.env.STILLWATER_LAKEHOUSE_ROOT ?? 'lake';", 'process'],
    ['const here = process.cwd();\nif (process.argv.length > 5) process.exit(1);', 'process'],
    ["process.on('exit', () => {});", 'full'],
    ['const p = process;', 'full'],
    ["import { readFileSync } from 'node:fs';", 'full'],
    ["import path from 'path';", 'full'],
    ["const b = Buffer.from('x');", 'full'],
    ["const os = require('os');", 'full'],
    ['console.log(__dirname);', 'full'],
  ])('%s → %s', (code, usage) => {
    expect(nodeUsage(code)).toBe(usage);
  });
});
