import { describe, expect, it } from 'vitest';
import { parseCellTags } from '../../../kernel-lib/src/tags/index.js';

describe('parseCellTags', () => {
  it('reads a step with every option', () => {
    const r = parseCellTags([
      'step:train',
      'prev:load',
      'prev:clean',
      'prev:load',
      'kind:train',
      'cache:disabled',
      'retries:2',
      'timeout:90',
      'limit:cpu:500m',
      'limit:memory:2Gi',
    ]);
    expect(r.problems).toEqual([]);
    expect(r.role).toEqual({
      role: 'step',
      name: 'train',
      prev: ['load', 'clean'],
      kind: 'train',
      cache: false,
      retries: 2,
      timeoutSeconds: 90,
      limits: { cpu: '500m', memory: '2Gi' },
    });
  });

  it('accepts Kale block: as an alias and the role tags', () => {
    expect(parseCellTags(['block:load']).role).toMatchObject({ role: 'step', name: 'load' });
    expect(parseCellTags(['imports']).role).toEqual({ role: 'imports' });
    expect(parseCellTags(['functions']).role).toEqual({ role: 'functions' });
    expect(parseCellTags(['pipeline-parameters']).role).toEqual({ role: 'parameters' });
    expect(parseCellTags(['pipeline-metrics']).role).toEqual({ role: 'metrics' });
    expect(parseCellTags(['skip']).role).toEqual({ role: 'skip' });
    expect(parseCellTags([]).role).toEqual({ role: 'continue' });
  });

  it('rejects unknown tags, bad names and bad values with the tag named', () => {
    expect(parseCellTags(['stpe:x']).problems).toEqual([
      expect.objectContaining({ tag: 'stpe:x', code: 'unknown-tag', message: expect.stringContaining('"stpe:x"') }),
    ]);
    expect(parseCellTags(['step:Load']).problems[0]).toMatchObject({
      tag: 'step:Load',
      code: 'bad-step-name',
      message: 'tag "step:Load": step name "Load" must match [a-z_][a-z0-9_]*',
    });
    expect(parseCellTags(['step:a', 'prev:9x']).problems[0]).toMatchObject({ tag: 'prev:9x', code: 'bad-step-name' });
    // Step names become file names: 64 characters at most (240 used to fail with ENAMETOOLONG mid-compile).
    expect(parseCellTags([`step:${'a'.repeat(64)}`]).problems).toEqual([]);
    expect(parseCellTags([`step:${'a'.repeat(240)}`]).problems[0]).toMatchObject({
      code: 'bad-step-name',
      message: `tag "step:${'a'.repeat(25)}…": step name "${'a'.repeat(20)}…" is 240 characters long; at most 64`,
    });
    expect(parseCellTags(['step:a', `prev:${'b'.repeat(65)}`]).problems[0]).toMatchObject({ code: 'bad-step-name' });
    const bad = parseCellTags(['step:a', 'kind:deploy', 'cache:maybe', 'retries:-1', 'timeout:0', 'limit:gpu:1']);
    expect(bad.problems.map((p) => [p.tag, p.code])).toEqual([
      ['kind:deploy', 'bad-tag-value'],
      ['cache:maybe', 'bad-tag-value'],
      ['retries:-1', 'bad-tag-value'],
      ['timeout:0', 'bad-tag-value'],
      ['limit:gpu:1', 'bad-tag-value'],
    ]);
  });

  it('rejects two roles on one cell and step options without a step', () => {
    expect(parseCellTags(['step:a', 'imports']).problems[0]).toMatchObject({
      code: 'conflicting-tags',
      message: 'tag "imports" conflicts with tag "step:a": a cell has one role',
    });
    expect(parseCellTags(['functions', 'retries:1']).problems[0]).toMatchObject({
      tag: 'retries:1',
      code: 'option-without-step',
    });
    expect(parseCellTags(['prev:a']).problems[0]).toMatchObject({ tag: 'prev:a', code: 'option-without-step' });
  });

  it('ignores blank tags and surrounding whitespace', () => {
    expect(parseCellTags([' step:a ', '']).role).toMatchObject({ role: 'step', name: 'a' });
  });
});
