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

  it("reads Kale's image:, annotation:, label: and limit:RESOURCE:QTY tags", () => {
    const r = parseCellTags([
      'step:train',
      'image:registry.example:5000/ml/steps:2.1',
      'annotation:example.com/owner:team a: the ML people',
      'annotation:note:',
      'label:team:ml',
      'label:app.kubernetes.io/part-of:turbofan',
      'limit:nvidia.com/gpu:1',
      'limit:memory:4Gi',
      'limit:ephemeral-storage:10Gi',
      'limit:hugepages-2Mi:512Mi',
    ]);
    expect(r.problems).toEqual([]);
    expect(r.role).toEqual({
      role: 'step',
      name: 'train',
      prev: [],
      image: 'registry.example:5000/ml/steps:2.1',
      // The value is everything after the key: colons and spaces included (Kale drops the colons).
      annotations: { 'example.com/owner': 'team a: the ML people', note: '' },
      labels: { team: 'ml', 'app.kubernetes.io/part-of': 'turbofan' },
      limits: { 'nvidia.com/gpu': '1', memory: '4Gi', 'ephemeral-storage': '10Gi', 'hugepages-2Mi': '512Mi' },
    });
  });

  it('refuses Kale tags a cluster would refuse, and one key with two values', () => {
    const r = parseCellTags([
      'step:a',
      'limit:gpu:1',
      'limit:nvidia.com/gpu:0.5',
      'limit:kubernetes.io/foo:1',
      'image:has space',
      'image:UPPER/case',
      'annotation:no-value',
      'annotation:Bad Key:x',
      'label:team:two words',
      `label:team:${'x'.repeat(64)}`,
      'annotation:stillwater.dev/step:mine',
      'limit:memory:1Gi',
      'limit:memory:2Gi',
      'image:a:1',
      'image:b:1',
      'label:team:ml',
      'label:team:ops',
    ]);
    expect(r.problems.map((p) => [p.tag.slice(0, 20), p.code])).toEqual([
      ['limit:gpu:1', 'bad-tag-value'],
      ['limit:nvidia.com/gpu', 'bad-tag-value'],
      ['limit:kubernetes.io/', 'bad-tag-value'],
      ['image:has space', 'bad-tag-value'],
      ['image:UPPER/case', 'bad-tag-value'],
      ['annotation:no-value', 'bad-tag-value'],
      ['annotation:Bad Key:x', 'bad-tag-value'],
      ['label:team:two words', 'bad-tag-value'],
      ['label:team:xxxxxxxxx', 'bad-tag-value'],
      ['annotation:stillwate', 'bad-tag-value'],
      ['limit:memory:2Gi', 'conflicting-tags'],
      ['image:b:1', 'conflicting-tags'],
      ['label:team:ops', 'conflicting-tags'],
    ]);
    expect(r.problems[0]!.message).toContain('such as nvidia.com/gpu');
    expect(r.problems.at(-1)!.message).toBe(
      'tag "label:team:ops" conflicts with tag "label:team:ml": one value per key',
    );
    expect(parseCellTags(['imports', 'image:x:1']).problems[0]).toMatchObject({ code: 'option-without-step' });
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
