/**
 * A lakehouse: a directory of Delta tables in medallion namespaces —
 * `bronze` (raw, as ingested), `silver` (cleaned, conformed), `gold`
 * (features, aggregates, predictions). `lh.table('bronze/train')` is the table
 * at `<root>/bronze/train`; names are validated so a typo cannot create a
 * table outside the layout.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from './errors.js';
import { type StreamIngestOptions, type StreamIngestResult, streamIngest } from './stream-ingest.js';
import { DeltaTable } from './table.js';

export const NAMESPACES = ['bronze', 'silver', 'gold'] as const;
export type Namespace = (typeof NAMESPACES)[number];

const NAME_RE = /^(bronze|silver|gold)\/([a-z_][a-z0-9_]*)$/;

/** Throws `InvalidArgumentError` unless `name` is `<bronze|silver|gold>/<snake_case>`. */
export function parseTableName(name: string): { namespace: Namespace; table: string } {
  const m = NAME_RE.exec(name);
  if (!m) {
    throw new InvalidArgumentError(
      `invalid table name ${JSON.stringify(name)}: use <namespace>/<table> with namespace bronze, silver or gold ` +
        'and a table name of lower-case letters, digits and underscores starting with a letter or underscore (e.g. bronze/train)',
    );
  }
  return { namespace: m[1] as Namespace, table: m[2]! };
}

export class Lakehouse {
  /** Absolute root directory. */
  readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  /** The table `<namespace>/<name>` (it need not exist yet). */
  table(name: string): DeltaTable {
    const { namespace, table } = parseTableName(name);
    return new DeltaTable(path.join(this.root, namespace, table));
  }

  /**
   * Ingests the files that arrived in `dir` into the table `name` (usually bronze) exactly
   * once, in batches; safe to re-run after a crash (see stream-ingest.ts).
   */
  streamIngest(dir: string, name: string, opts: StreamIngestOptions): Promise<StreamIngestResult> {
    return streamIngest(dir, this.table(name), opts);
  }

  /** Names (`bronze/train`, …) of the tables that exist, sorted. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const ns of NAMESPACES) {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(path.join(this.root, ns), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const name = `${ns}/${e.name}`;
        if (!e.isDirectory() || !NAME_RE.test(name)) continue;
        if (await new DeltaTable(path.join(this.root, ns, e.name)).exists()) out.push(name);
      }
    }
    return out.sort();
  }
}
