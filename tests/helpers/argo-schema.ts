/**
 * Validation against Argo's own JSON schema (`../shared/argo/schema.json`), made strict:
 * the schema lists each object's properties but does not forbid others, so every
 * definition with `properties` gets `additionalProperties: false` before ajv compiles it.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

type Schema = Record<string, unknown> & { definitions: Record<string, Record<string, unknown>> };

export function argoValidator(schemaPath: string): (kind: string, doc: unknown) => string[] {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Schema;
  for (const def of Object.values(schema.definitions)) {
    if (def.properties && def.additionalProperties === undefined) def.additionalProperties = false;
  }
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ ...schema, oneOf: undefined, $id: 'argo' });
  return (kind, doc) => {
    const validate = ajv.getSchema(`argo#/definitions/io.argoproj.workflow.v1alpha1.${kind}`)!;
    return validate(doc)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
