/**
 * MERGE and UPDATE on tables with nested columns (struct, array): a nested column is
 * assigned whole — from a column of the same type (`s.location`, `*`) or NULL — from
 * single- and multi-batch sources; anything else is refused naming the column, and
 * nothing is committed. pyarrow over the live files must agree with our reader.
 */
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable, ExpressionError } from '../../../kernel-lib/src/lakehouse/index.js';
import { oracleRows, ourRows } from '../golden/rows-two-ways.js';
import { normalisedRows, oracle, removeTmpDirs, sortedJson, stringToIntMap, tmpDir } from '../lakehouse/helpers.js';

afterAll(removeTmpDirs);

const LOCATION = new arrow.Struct([
  new arrow.Field('x', new arrow.Float64(), true),
  new arrow.Field('site', new arrow.Utf8(), true),
]);
const TAGS = new arrow.List(new arrow.Field('item', new arrow.Utf8(), true));

type Row = [id: number, x: number | null, site: string, tags: string[] | null];

function engines(rows: Row[]): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(
      rows.map((r) => r[0]),
      new arrow.Int32(),
    ),
    location: arrow.vectorFromArray(
      rows.map((r) => ({ x: r[1], site: r[2] })),
      LOCATION,
    ),
    tags: arrow.vectorFromArray(
      rows.map((r) => r[3]),
      TAGS,
    ),
  });
}

/** `id: x@site [tags]` per row, sorted. */
async function contents(t: DeltaTable): Promise<string[]> {
  return [...(await t.read()).toArray()]
    .map((r) => {
      const loc = r.location === null ? 'null' : `${r.location.x}@${r.location.site}`;
      const tags = r.tags === null ? 'null' : `[${[...r.tags].join(',')}]`;
      return `${r.id}: ${loc} ${tags}`;
    })
    .sort();
}

async function agreesWithPyarrow(t: DeltaTable): Promise<void> {
  const o = await oracle(t.path);
  expect(o.problems).toEqual([]);
  expect(normalisedRows(await t.read(), o.columns)).toEqual(sortedJson(o.rows));
}

async function fleet(): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('nested-assign'));
  await t.write(
    engines([
      [1, 1.5, 'a', ['old']],
      [2, 2.5, 'b', []],
      [3, 3.5, 'c', null],
    ]),
  );
  return t;
}

describe('assigning nested columns', () => {
  it('MERGE copies struct and array columns from the source, by name and with *', async () => {
    const t = await fleet();
    const source = engines([
      [2, 20, 'B', ['moved', 'checked']],
      [4, 40, 'D', ['new']],
    ]);
    await t.merge(source, {
      on: 't.id = s.id',
      whenMatchedUpdate: { set: { location: 's.location', tags: 'source.tags' } },
      whenNotMatchedInsert: { values: '*' },
    });
    expect(await contents(t)).toEqual(['1: 1.5@a [old]', '2: 20@B [moved,checked]', '3: 3.5@c null', '4: 40@D [new]']);
    await agreesWithPyarrow(t);
    // The whole row from the source, nested columns included.
    await t.merge(engines([[3, 30, 'C', ['x']]]), {
      on: 't.id = s.id',
      whenMatchedUpdate: { set: '*' },
    });
    expect(await contents(t)).toContain('3: 30@C [x]');
    await agreesWithPyarrow(t);
  });

  it('takes rows from a source of several batches, and NULL for rows with no source row', async () => {
    const t = await fleet();
    const batches = [engines([[1, 10, 'A', ['one']]]), engines([[3, 30, 'C', ['three', '3']]])].flatMap(
      (x) => x.batches,
    );
    const source = new arrow.Table(batches);
    expect(source.batches).toHaveLength(2);
    await t.merge(source, {
      on: 't.id = s.id',
      whenMatchedUpdate: { set: { location: 's.location', tags: 's.tags' } },
      whenNotMatchedBySourceUpdate: { set: { location: 'null', tags: 'NULL' } },
    });
    expect(await contents(t)).toEqual(['1: 10@A [one]', '2: null null', '3: 30@C [three,3]']);
    await agreesWithPyarrow(t);
  });

  it('copies maps and structs holding arrays value by value (a source of several batches)', async () => {
    const PROPS = stringToIntMap();
    const DEEP = new arrow.Struct([new arrow.Field('names', TAGS, true)]);
    const rows = (items: [number, Record<string, number>, string[]][]) =>
      new arrow.Table({
        id: arrow.vectorFromArray(
          items.map((r) => r[0]),
          new arrow.Int32(),
        ),
        props: arrow.vectorFromArray(
          items.map((r) => new Map(Object.entries(r[1]))),
          PROPS,
        ),
        deep: arrow.vectorFromArray(
          items.map((r) => ({ names: r[2] })),
          DEEP,
        ),
      });
    const t = new DeltaTable(tmpDir('nested-map'));
    await t.write(
      rows([
        [1, { a: 1 }, ['x']],
        [2, { b: 2 }, ['y']],
      ]),
    );
    const source = new arrow.Table([
      ...rows([[1, { a: 10, c: 3 }, ['p', 'q']]]).batches,
      ...rows([[5, {}, []]]).batches,
    ]);
    await t.merge(source, {
      on: 't.id = s.id',
      whenMatchedUpdate: { set: { props: 's.props', deep: 's.deep' } },
      whenNotMatchedInsert: { values: '*' },
    });
    const shown = [...(await t.read()).toArray()]
      .map((r) => `${r.id}: ${JSON.stringify(Object.fromEntries([...r.props]))} ${[...r.deep.names].join(',')}`)
      .sort();
    expect(shown).toEqual(['1: {"a":10,"c":3} p,q', '2: {"b":2} y', '5: {} ']);
    // Maps compare in the golden corpus's canonical form (pyarrow gives them as key/value pairs).
    expect(await ourRows(t.path)).toEqual(await oracleRows(t.path));
  });

  it('UPDATE sets a nested column to NULL', async () => {
    const t = await fleet();
    await t.update({ where: 'id = 1', set: { location: 'null' } });
    expect(await contents(t)).toEqual(['1: null [old]', '2: 2.5@b []', '3: 3.5@c null']);
    await agreesWithPyarrow(t);
  });

  it('refuses anything but a column of the same type or NULL, naming the column, and commits nothing', async () => {
    const t = await fleet();
    const version = (await t.snapshot()).version;
    const other = new arrow.Table({
      id: arrow.vectorFromArray([2], new arrow.Int32()),
      location: arrow.vectorFromArray(
        [{ x: 1, floor: 3 }],
        new arrow.Struct([
          new arrow.Field('x', new arrow.Float64(), true),
          new arrow.Field('floor', new arrow.Int32(), true),
        ]),
      ),
    });
    const refusals: [() => Promise<unknown>, RegExp][] = [
      [
        () => t.merge(other, { on: 't.id = s.id', whenMatchedUpdate: { set: { location: 's.location' } } }),
        /SET location: location has type struct<x:double,floor:integer>, but location is struct<x:double,site:string>; a nested column takes a column of the same type, or NULL/,
      ],
      [
        () => t.update({ set: { location: "'somewhere'" } }),
        /location is a nested column \(struct<x:double,site:string>\); it is assigned whole, from a column of the same type or NULL, not from "'somewhere'"/,
      ],
      [
        () => t.update({ set: { tags: 'coalesce(tags, tags)' } }),
        /tags is a nested column \(array<string>\); it is assigned whole/,
      ],
      [
        () => t.update({ set: { tags: 'location' } }),
        /location has type struct<x:double,site:string>, but tags is array<string>/,
      ],
    ];
    for (const [attempt, message] of refusals) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as Error).message).toMatch(message);
    }
    expect((await t.snapshot()).version).toBe(version);
  });
});
