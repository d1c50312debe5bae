import { describe, expect, it } from 'vitest';
import {
  type CellRole,
  CellTagFormatError,
  formatCellTags,
  parseCellTags,
} from '../../../kernel-lib/src/tags/index.js';

const roles: CellRole[] = [
  { role: 'continue' },
  { role: 'imports' },
  { role: 'functions' },
  { role: 'parameters' },
  { role: 'metrics' },
  { role: 'skip' },
  { role: 'step', name: 'load', prev: [], limits: {} },
  { role: 'step', name: 'train', prev: ['load', 'clean'], kind: 'train', limits: {} },
  {
    role: 'step',
    name: 'train',
    prev: ['load'],
    kind: 'other',
    cache: false,
    retries: 0,
    timeoutSeconds: 90,
    limits: { cpu: '500m', memory: '2Gi' },
  },
  { role: 'step', name: '_x9', prev: [], cache: true, limits: { memory: '512Mi' } },
  {
    role: 'step',
    name: 'kale',
    prev: [],
    limits: { cpu: '1', 'nvidia.com/gpu': '2', 'ephemeral-storage': '1Gi' },
    image: 'python:3.11-slim',
    annotations: { 'example.com/a': 'x: y', b: '' },
    labels: { team: 'ml' },
  },
];

describe('formatCellTags (the inverse of parseCellTags)', () => {
  it.each(roles.map((r) => [JSON.stringify(r), r] as const))('round-trips %s', (_, role) => {
    const tags = formatCellTags(role);
    const back = parseCellTags(tags);
    expect(back.problems).toEqual([]);
    expect(back.role).toEqual(role);
    // And parsing then formatting gives the same tags back.
    expect(formatCellTags(back.role)).toEqual(tags);
  });

  it('writes tags in a fixed order, whatever the role object lists first', () => {
    expect(
      formatCellTags({
        role: 'step',
        name: 'train',
        limits: { memory: '1Gi', cpu: '2' },
        timeoutSeconds: 5,
        retries: 1,
        cache: true,
        prev: ['b', 'a', 'b'],
        kind: 'train',
      }),
    ).toEqual([
      'step:train',
      'kind:train',
      'prev:b',
      'prev:a',
      'cache:enabled',
      'retries:1',
      'timeout:5',
      'limit:cpu:2',
      'limit:memory:1Gi',
    ]);
  });

  it('replaces the tags it owns and keeps the others after its own', () => {
    const existing = [
      'block:old',
      'prev:x',
      'kind:ingest',
      'retries:3',
      'tool:thing',
      'retries:abc',
      'hide-input',
      ' ',
    ];
    expect(formatCellTags({ role: 'step', name: 'new', prev: ['y'], limits: {} }, existing)).toEqual([
      'step:new',
      'prev:y',
      'tool:thing',
      'retries:abc',
      'hide-input',
    ]);
  });

  it('drops step options, well-formed or not, when the cell stops being a step', () => {
    const existing = ['step:a', 'prev:x', 'cache:maybe', 'limit:gpu:1', 'hide-input', 'pipeline-metrics'];
    expect(formatCellTags({ role: 'imports' }, existing)).toEqual(['imports', 'hide-input']);
    expect(formatCellTags({ role: 'continue' }, existing)).toEqual(['hide-input']);
  });

  it('refuses values outside the grammar (they would read back as another role)', () => {
    expect(() => formatCellTags({ role: 'step', name: 'Bad-Name', prev: [], limits: {} })).toThrow(CellTagFormatError);
    expect(() => formatCellTags({ role: 'step', name: 'a', prev: ['B'], limits: {} })).toThrow(/prev:B/);
    expect(() => formatCellTags({ role: 'step', name: 'a', prev: [], retries: -1, limits: {} })).toThrow(
      CellTagFormatError,
    );
    expect(() => formatCellTags({ role: 'step', name: 'a', prev: [], limits: { cpu: 'lots' } })).toThrow(
      CellTagFormatError,
    );
  });
});
