import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertValidSpec, SpecValidationError, specSchemaErrors } from '../../../kernel-lib/src/pipeline/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { sampleSpec, sampleStep } from '../../helpers/sample-spec.js';

const step = sampleStep;
const spec = sampleSpec;

const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schema', 'pipeline.schema.json'), 'utf8'));

describe('pipeline.schema.json ⇔ spec.ts', () => {
  it('accepts a spec that uses every field of the TypeScript types', () => {
    expect(specSchemaErrors(spec)).toEqual([]);
  });

  it('requires exactly the fields the TypeScript types declare', () => {
    expect([...schema.required].sort()).toEqual(Object.keys(spec).sort());
    // Kale's image/annotation/label tags are written only when a step has them.
    const optional = ['image', 'annotations', 'labels'];
    expect([...schema.$defs.step.required].sort()).toEqual(
      Object.keys(step)
        .filter((k) => !optional.includes(k))
        .sort(),
    );
    expect(Object.keys(schema.$defs.step.properties).sort()).toEqual(Object.keys(step).sort());
  });

  it('takes any Kubernetes resource limit, image, annotations and labels; refuses what a cluster would', () => {
    const withStep = (over: Record<string, unknown>) => ({ ...spec, steps: [{ ...step, ...over }] });
    expect(specSchemaErrors(withStep({ limits: { 'amd.com/gpu': '2', 'hugepages-2Mi': '1Gi' } }))).toEqual([]);
    expect(specSchemaErrors(withStep({ limits: { gpu: '1' } }))).toEqual([
      '/steps/0/limits must NOT have additional properties',
    ]);
    expect(specSchemaErrors(withStep({ limits: { 'nvidia.com/gpu': '0.5' } })).length).toBe(1);
    expect(specSchemaErrors(withStep({ labels: { team: 'has space' } })).length).toBe(1);
    expect(specSchemaErrors(withStep({ annotations: { 'Bad Key': 'x' } })).length).toBeGreaterThan(0);
  });

  it('rejects bad specs with errors naming the field', () => {
    const bad = structuredClone(spec) as unknown as Record<string, unknown> & { steps: Record<string, unknown>[] };
    bad.steps[0]!.inputs = [{ name: 'table', from: 'load', marshal: 'json' }];
    bad.steps[0]!.bundle = '/abs/train.mjs';
    delete bad.hash;
    expect(specSchemaErrors(bad)).toEqual([
      "/ must have required property 'hash'",
      '/steps/0/bundle must match pattern "^steps/[a-z_][a-z0-9_]{0,63}\\.mjs$"',
      '/steps/0/inputs/0/marshal must be equal to one of the allowed values',
    ]);
    expect(() => assertValidSpec(bad, 'nb.ipynb')).toThrow(SpecValidationError);
    expect(() => assertValidSpec(bad, 'nb.ipynb')).toThrow(/^nb\.ipynb: pipeline spec does not match the schema: /);
  });
});
