/** Writing small tagged tslab notebooks for tests, under tests/.out (so bundles resolve node_modules). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshOutDir } from './paths.js';

export interface CodeCell {
  cell_type: 'code';
  execution_count: null;
  metadata: { tags: string[] };
  outputs: [];
  source: string;
}

export const code = (tags: string[], source: string): CodeCell => ({
  cell_type: 'code',
  execution_count: null,
  metadata: { tags },
  outputs: [],
  source,
});

/** Writes a notebook of `cells` (pipeline name `name`) into a fresh folder under tests/.out. */
export function writeNotebook(name: string, cells: CodeCell[]): { dir: string; nb: string } {
  const dir = freshOutDir(`runner-${name}-`);
  const nb = path.join(dir, `${name}.ipynb`);
  writeFileSync(
    nb,
    JSON.stringify({
      cells,
      metadata: {
        kernelspec: { name: 'tslab', language: 'typescript', display_name: 'TypeScript' },
        stillwater: { name },
      },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  return { dir, nb };
}
