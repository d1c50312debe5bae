import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

/** Every module reachable from a file through relative value imports. */
function reachable(entry: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (out.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
    out.set(file, specs);
    for (const s of specs)
      if (s.startsWith('.')) todo.push(path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts'));
  }
  return out;
}

describe('@stillwater/kernel/tags', () => {
  it('imports no Node APIs, no TypeScript compiler and no packages (browser-safe)', () => {
    const graph = reachable(path.join(repoRoot, 'kernel-lib', 'src', 'tags', 'index.ts'));
    expect(graph.size).toBeGreaterThanOrEqual(5);
    for (const [file, specs] of graph) {
      const external = specs.filter((s) => !s.startsWith('.'));
      expect(external, path.relative(repoRoot, file)).toEqual([]);
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\b(process|Buffer|require)\s*[.(]/);
    }
  });
});
