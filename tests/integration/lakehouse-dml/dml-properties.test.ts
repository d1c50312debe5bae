/**
 * Issue 15 acceptance, property-based (fast-check): random sequences of
 * append / DELETE / UPDATE / MERGE / OPTIMIZE / VACUUM / RESTORE on a small
 * partitioned table (checkpoints every 4 commits) — copy-on-write, with
 * deletion vectors, and with deletion vectors and column mapping (id mode) —
 * against an in-memory model of the rows.
 *
 * After each sequence every version is read by time travel:
 * - a version every VACUUM so far retained must equal the model's rows then;
 * - an older one either still equals them (VACUUM had nothing of it to
 *   delete) or fails with a DataFileError naming a missing file — never other rows.
 * VACUUMs are forced with a retention boundary at a chosen earlier version
 * (its commit time), so they retain that version and the ones after it, or
 * run with the default 168 h (which retains everything). A RESTORE to a
 * retained version must succeed; to an older one it must succeed or fail with
 * nothing committed. Finally the pyarrow oracle (its own log replay and DV
 * decoder) reads every retained version of every sequence, in one process.
 *
 * A failure prints fast-check's seed and the shrunk operation sequence; the
 * seeds are fixed, so every run checks the same sequences
 * (STILLWATER_PROP_SEED / STILLWATER_PROP_RUNS explore others).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError, DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { venvPython } from '../../helpers/paths.js';
import { removeTmpDirs, run, tmpDir } from '../lakehouse/helpers.js';

afterAll(removeTmpDirs);

// Fixed seeds and run counts keep `npm test` repeatable; override them to explore further.
const RUNS = Number(process.env.STILLWATER_PROP_RUNS ?? 20);
const SEED = process.env.STILLWATER_PROP_SEED;
const PARTS = ['a', 'b', 'c'];
const ORACLE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'golden', 'oracle.py');

interface Row {
  id: number;
  p: string;
  v: number;
}
type Where = { kind: 'vBelow'; x: number } | { kind: 'partAndV'; p: string; x: number } | { kind: 'none' };
type Op =
  | { kind: 'append'; rows: { p: string; v: number }[] }
  | { kind: 'delete'; where: Where }
  | { kind: 'update'; where: Where; add: number; moveTo: string | null }
  | {
      kind: 'merge';
      rows: { pick: number; fresh: boolean; v: number }[];
      deleteBelow: number;
      bySourceDeleteAbove: number | null;
    }
  | { kind: 'optimize' }
  | { kind: 'vacuum'; keepLast: number | null }
  | { kind: 'restore'; back: number };

const where = fc.oneof(
  fc.record({ kind: fc.constant('vBelow' as const), x: fc.integer({ min: 0, max: 20 }) }),
  fc.record({
    kind: fc.constant('partAndV' as const),
    p: fc.constantFrom(...PARTS),
    x: fc.integer({ min: 0, max: 20 }),
  }),
  fc.constant({ kind: 'none' as const }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      rows: fc.array(fc.record({ p: fc.constantFrom(...PARTS), v: fc.integer({ min: 0, max: 20 }) }), {
        minLength: 1,
        maxLength: 12,
      }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), where }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      where,
      add: fc.integer({ min: 1, max: 5 }),
      // Sometimes the partition column too: the rows move to another partition.
      moveTo: fc.option(fc.constantFrom(...PARTS), { freq: 4 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('merge' as const),
      rows: fc.array(fc.record({ pick: fc.nat(), fresh: fc.boolean(), v: fc.integer({ min: 0, max: 20 }) }), {
        minLength: 1,
        maxLength: 8,
      }),
      deleteBelow: fc.integer({ min: -1, max: 5 }),
      bySourceDeleteAbove: fc.option(fc.integer({ min: 10, max: 25 }), { freq: 3 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'optimize' as const }), weight: 1 },
  // keepLast: a forced VACUUM retaining the last n versions (0: only the latest); null: the default 168 h.
  {
    arbitrary: fc.record({ kind: fc.constant('vacuum' as const), keepLast: fc.option(fc.nat({ max: 3 })) }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('restore' as const), back: fc.integer({ min: 1, max: 5 }) }), weight: 1 },
);

const sql = (w: Where): string | undefined =>
  w.kind === 'vBelow' ? `v < ${w.x}` : w.kind === 'partAndV' ? `p = '${w.p}' and v >= ${w.x}` : undefined;
const matches = (w: Where, r: Row): boolean =>
  w.kind === 'vBelow' ? r.v < w.x : w.kind === 'partAndV' ? r.p === w.p && r.v >= w.x : true;

function arrowRows(rows: Row[]): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(
      rows.map((r) => BigInt(r.id)),
      new arrow.Int64(),
    ),
    p: arrow.vectorFromArray(
      rows.map((r) => r.p),
      new arrow.Utf8(),
    ),
    v: arrow.vectorFromArray(
      rows.map((r) => r.v),
      new arrow.Int32(),
    ),
  });
}
const keyOf = (r: Row) => `${r.id}|${r.p}|${r.v}`;
const modelKeys = (rows: Row[]) => rows.map(keyOf).sort();
const tableKeys = (t: arrow.Table) =>
  [...t.toArray()].map((r) => keyOf({ id: Number(r.id), p: r.p as string, v: r.v as number })).sort();

/** Versions the pyarrow oracle reads after the property (one Python process for all). */
interface OracleJob {
  table: string;
  version: number;
  expected: string[];
  ops: Op[];
}

/** Waits until the clock has passed `t`: commits after it get later timestamps than every commit before. */
function tickPast(t: number): void {
  while (Date.now() <= t) {
    /* a millisecond at most */
  }
}

async function runSequence(
  ops: Op[],
  table: { dvs: boolean; mapping: 'none' | 'id' },
  jobs: OracleJob[],
  stats: { ops: number },
): Promise<void> {
  const t = new DeltaTable(tmpDir('dml-prop'));
  let nextId = 0;
  let rows: Row[] = [0, 1, 2, 3].map((i) => ({ id: nextId++, p: PARTS[i % 3]!, v: i * 5 }));
  await t.write(arrowRows(rows), {
    mode: 'append',
    partitionBy: ['p'],
    properties: {
      'delta.checkpointInterval': '4',
      ...(table.dvs ? { 'delta.enableDeletionVectors': 'true' } : {}),
      ...(table.mapping !== 'none' ? { 'delta.columnMapping.mode': table.mapping } : {}),
    },
  });
  const atVersion: Row[][] = [rows];
  const committedAt: number[] = [Date.now()];
  let retainedFrom = 0; // every version from here on must still be readable
  const committed = (version: number | undefined, next: Row[]): void => {
    if (version === undefined) {
      expect(modelKeys(next), 'nothing committed, so nothing may change').toEqual(modelKeys(rows));
      return;
    }
    expect(version).toBe(atVersion.length);
    atVersion.push(next);
    committedAt.push(Date.now());
    rows = next;
  };

  for (const o of ops) {
    stats.ops++;
    tickPast(committedAt[committedAt.length - 1]!);
    switch (o.kind) {
      case 'append': {
        const added = o.rows.map((r) => ({ id: nextId++, ...r }));
        committed((await t.append(arrowRows(added))).version, [...rows, ...added]);
        break;
      }
      case 'delete': {
        const r = await t.delete(sql(o.where));
        committed(
          r.version,
          rows.filter((x) => !matches(o.where, x)),
        );
        break;
      }
      case 'update': {
        const w = sql(o.where);
        const set: Record<string, string> = { v: `v + ${o.add}` };
        if (o.moveTo) set.p = `'${o.moveTo}'`;
        const r = await t.update({ ...(w ? { where: w } : {}), set });
        const moved = (x: Row): Row => ({ ...x, v: x.v + o.add, p: o.moveTo ?? x.p });
        committed(
          r.version,
          rows.map((x) => (matches(o.where, x) ? moved(x) : x)),
        );
        break;
      }
      case 'merge': {
        // Unique source ids: existing ids picked by index, or new ones.
        const seen = new Set<number>();
        const source: Row[] = [];
        for (const s of o.rows) {
          const id = s.fresh || rows.length === 0 ? nextId++ : rows[s.pick % rows.length]!.id;
          if (seen.has(id)) continue;
          seen.add(id);
          source.push({ id, p: rows.find((x) => x.id === id)?.p ?? PARTS[id % 3]!, v: s.v });
        }
        const above = o.bySourceDeleteAbove;
        const r = await t.merge(arrowRows(source), {
          on: 't.id = s.id',
          whenMatchedDelete: { condition: `s.v < ${o.deleteBelow}` },
          whenMatchedUpdate: { set: { v: 's.v' } },
          whenNotMatchedInsert: { values: '*' },
          ...(above === null ? {} : { whenNotMatchedBySourceDelete: { condition: `t.v > ${above}` } }),
        });
        const byId = new Map(source.map((s) => [s.id, s]));
        const next = rows.flatMap((x) => {
          const s = byId.get(x.id);
          if (!s) return above !== null && x.v > above ? [] : [x];
          return s.v < o.deleteBelow ? [] : [{ ...x, v: s.v }];
        });
        for (const s of source) if (!rows.some((x) => x.id === s.id)) next.push(s);
        committed(r.version, next);
        break;
      }
      case 'optimize':
        committed((await t.optimize()).version, rows);
        break;
      case 'vacuum': {
        const latest = atVersion.length - 1;
        if (o.keepLast === null) {
          await t.vacuum(); // 168 h: every version stays readable
          break;
        }
        // Retention boundary at version k's commit time: files removed by commits after k stay.
        const k = Math.max(0, latest - o.keepLast);
        await t.vacuum({ retentionHours: 0, force: true, now: committedAt[k]! + 1 });
        retainedFrom = Math.max(retainedFrom, k);
        break;
      }
      case 'restore': {
        const target = atVersion.length - 1 - o.back;
        if (target < 0) break;
        if (target >= retainedFrom) {
          committed((await t.restore({ version: target })).version, atVersion[target]!);
          break;
        }
        // Older than what VACUUM retained: restored whole, or refused with nothing committed.
        const before = atVersion.length - 1;
        const r = await t.restore({ version: target }).catch((e: unknown) => e);
        if (r instanceof Error) {
          expect(r).toBeInstanceOf(DataFileError);
          expect(r.message).toMatch(/no longer exist/);
          expect((await t.snapshot()).version).toBe(before);
        } else committed((r as { version: number | undefined }).version, atVersion[target]!);
        break;
      }
    }
  }

  for (let v = 0; v < atVersion.length; v++) {
    const expected = modelKeys(atVersion[v]!);
    let got: arrow.Table;
    try {
      got = await t.read({ version: v });
    } catch (e) {
      if (!(e instanceof DataFileError) || v >= retainedFrom) throw e;
      expect(e.message, `version ${v}`).toMatch(/is missing/);
      continue;
    }
    expect(tableKeys(got), `version ${v}`).toEqual(expected);
    if (v >= retainedFrom) jobs.push({ table: t.path, version: v, expected, ops });
  }
  expect(tableKeys(await t.read())).toEqual(modelKeys(rows));
}

/** The oracle's rows for every job, read by one `oracle.py --many` process. */
async function oracleRows(jobs: OracleJob[]): Promise<string[][]> {
  const dir = tmpDir('dml-prop-oracle');
  mkdirSync(dir, { recursive: true });
  const spec = jobs.map((j, i) => ({ table: j.table, version: j.version, out: path.join(dir, `${i}.jsonl`) }));
  writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(spec));
  await run(venvPython, [ORACLE, '--many', path.join(dir, 'jobs.json')], { maxBuffer: 1 << 26 });
  return spec.map((s) => {
    const lines = readFileSync(s.out, 'utf8').split('\n').slice(1);
    return lines
      .filter((l) => l !== '')
      .map((l) => {
        const [id, p, v] = JSON.parse(l) as [string, string, string];
        return `${id}|${p}|${v}`;
      })
      .sort();
  });
}

describe.each([
  ['copy-on-write', { dvs: false, mapping: 'none' as const }, 51],
  ['deletion vectors', { dvs: true, mapping: 'none' as const }, 15],
  ['deletion vectors, column mapping by id', { dvs: true, mapping: 'id' as const }, 27],
])('DML sequences vs an in-memory model (%s)', (label, table, seed) => {
  it(`every version VACUUM retained equals the model, in our reader and pyarrow's (${RUNS} sequences)`, async () => {
    const jobs: OracleJob[] = [];
    const stats = { ops: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 10 }), (ops) => runSequence(ops, table, jobs, stats)),
      { numRuns: RUNS, seed: SEED === undefined ? seed : Number(SEED) },
    );
    const oracle = await oracleRows(jobs);
    jobs.forEach((j, i) => {
      expect(oracle[i], `pyarrow at version ${j.version} of ${j.table} after ${JSON.stringify(j.ops)}`).toEqual(
        j.expected,
      );
    });
    console.log(`${label}: ${RUNS} sequences, ${stats.ops} operations, ${jobs.length} versions checked by pyarrow`);
  }, 600_000);
});
