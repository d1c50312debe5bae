import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseCellTags, readNotebookSettings } from '../../../kernel-lib/src/tags/index.js';
import { repoRoot } from '../../helpers/paths.js';

const load = (name: string) => JSON.parse(readFileSync(path.join(repoRoot, 'schema', name), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });

describe('schema/*.schema.json', () => {
  const names = ['pipeline.schema.json', 'cell-tags.schema.json', 'notebook-metadata.schema.json'];
  it.each(names)('%s is a valid JSON Schema 2020-12 (ajv strict meta-validation and compile)', (name) => {
    const schema = load(name) as { $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(() => new Ajv2020({ strict: true }).compile(schema)).not.toThrow();
  });

  it('cell-tags.schema.json agrees with parseCellTags tag by tag', () => {
    const validate = new Ajv2020({ strict: true }).compile(load('cell-tags.schema.json'));
    const good = [
      'step:load',
      'block:x_1',
      'prev:load',
      'kind:evaluate',
      'imports',
      'functions',
      'pipeline-parameters',
      'pipeline-metrics',
      'skip',
      'cache:enabled',
      'cache:disabled',
      'retries:0',
      'retries:12',
      'timeout:3600',
      'limit:cpu:2',
      'limit:cpu:0.5',
      'limit:cpu:250m',
      'limit:memory:512Mi',
      'limit:memory:1G',
      'limit:nvidia.com/gpu:1',
      'limit:ephemeral-storage:2Gi',
      'limit:hugepages-2Mi:1Gi',
      'image:python:3.11-slim',
      'image:registry.example:5000/team/steps:1.2',
      `image:steps@sha256:${'a'.repeat(64)}`,
      'annotation:example.com/owner:anything: at all',
      'annotation:note:',
      'label:team:ml',
      'label:app.kubernetes.io/part-of:turbofan',
      `step:${'a'.repeat(64)}`,
    ];
    const bad = [
      'step:Load',
      'step:',
      'prev:1a',
      'kind:deploy',
      'cache:on',
      'retries:-1',
      'retries:01',
      'timeout:0',
      'limit:gpu:1',
      'limit:memory:lots',
      'limit:nvidia.com/gpu:0.5',
      'image:has space',
      'image:UPPER/case',
      'annotation:no-value',
      'annotation:Bad Key:x',
      'label:team:two words',
      'stpe:x',
      'parameters',
      `step:${'a'.repeat(65)}`,
      `prev:${'a'.repeat(65)}`,
    ];
    for (const tag of good) {
      expect(validate([tag]), tag).toBe(true);
      const problems = parseCellTags(
        tag.startsWith('step:') || tag.startsWith('block:') ? [tag] : ['step:s', tag],
      ).problems;
      expect(
        problems.filter((p) => p.code !== 'conflicting-tags'),
        tag,
      ).toEqual([]);
    }
    for (const tag of bad) {
      expect(validate([tag]), tag).toBe(false);
      expect(parseCellTags(['step:s', tag]).problems.length, tag).toBeGreaterThan(0);
    }
  });

  it('notebook-metadata.schema.json agrees with readNotebookSettings', () => {
    const validate = new Ajv2020({ strict: true }).compile(load('notebook-metadata.schema.json'));
    const cases: [unknown, boolean][] = [
      [{}, true],
      [{ name: 'turbofan', description: 'RUL', lakehouseRoot: '../lake' }, true],
      [{ defaults: { cache: false, retries: 2, timeoutSeconds: 60 } }, true],
      [{ name: 'has space' }, false],
      [{ lakehouseRoot: '' }, false],
      [{ defaults: { retries: -1 } }, false],
      [{ defaults: { timeoutSeconds: 0 } }, false],
      [{ unknown: 1 }, false],
      [{ defaults: { gpu: 1 } }, false],
    ];
    for (const [value, ok] of cases) {
      expect(validate(value), JSON.stringify(value)).toBe(ok);
      expect(readNotebookSettings({ stillwater: value }).diagnostics.length === 0, JSON.stringify(value)).toBe(ok);
    }
  });
});
