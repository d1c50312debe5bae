/**
 * The run-event types of `@stillwater/kernel/contracts` and the wire contract
 * (`schema/run-event.schema.json`) agree: the schema is turned into TypeScript
 * (json-schema-to-typescript) and the compiler checks, per event type, that each side
 * is assignable to the other and that both have the same fields. (The events a real run
 * emits are validated against the schema in tests/integration/runner/event-schema.)
 * The subpath is types only: its built JavaScript is empty and its sources import no code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compile } from 'json-schema-to-typescript';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

const CONTRACTS = path.join(repoRoot, 'kernel-lib', 'src', 'contracts');

/** Compiles `files` (name → text) beside the contracts' sources; returns the error messages. */
function typeErrors(files: Record<string, string>): string[] {
  const dir = path.join(repoRoot, 'tests', 'unit', 'contracts');
  const abs = Object.fromEntries(Object.entries(files).map(([n, t]) => [path.join(dir, n), t]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.readFile = (f) => abs[f] ?? read(f);
  host.fileExists = (f) => f in abs || exists(f);
  const program = ts.createProgram(Object.keys(abs), options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}: ${lineOf(d.file, d.start)}` : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** The source line a diagnostic points at (the failing check names the two types). */
function lineOf(file: ts.SourceFile, start: number | undefined): string {
  if (start === undefined) return '';
  const { line } = file.getLineAndCharacterOfPosition(start);
  return file.text.split('\n')[line]!.trim();
}

const PAIRS = [
  ['RunStartedEvent', 'RunStarted'],
  ['StepEvent', 'Step'],
  ['LogEvent', 'Log'],
  ['RunFinishedEvent', 'RunFinished'],
] as const;

function agreementCheck(): string {
  const lines = [
    "import type * as C from '../../../kernel-lib/src/contracts/index.js';",
    "import type * as S from './schema-types.js';",
    'type Assignable<A, B> = [A] extends [B] ? true : false;',
    'type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;',
    'const yes = <T extends true>(): T | undefined => undefined;',
  ];
  for (const [ours, wire] of PAIRS) {
    lines.push(
      `yes<Assignable<C.${ours}, S.${wire}>>();`,
      `yes<Assignable<S.${wire}, C.${ours}>>();`,
      `yes<SameKeys<C.${ours}, S.${wire}>>();`,
    );
  }
  lines.push(
    'yes<Assignable<C.RunEvent, S.StillwaterRunEvent>>();',
    'yes<Assignable<S.StillwaterRunEvent, C.RunEvent>>();',
  );
  return lines.join('\n');
}

/**
 * The schema as TypeScript. Objects the schema leaves open (the error object) are read as
 * closed: an interface has no index signature, and the fields are what is compared.
 */
async function schemaTypes(schema: object): Promise<string> {
  return compile(schema, 'StillwaterRunEvent', { bannerComment: '', additionalProperties: false, format: false });
}

describe('@stillwater/kernel/contracts', () => {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schema', 'run-event.schema.json'), 'utf8'));

  it('run-event types and run-event.schema.json agree, field by field', async () => {
    const errors = typeErrors({ 'schema-types.ts': await schemaTypes(schema), 'agree.ts': agreementCheck() });
    expect(errors).toEqual([]);
  });

  it('the check notices a field the schema has and the types lack (it can fail)', async () => {
    const drifted = structuredClone(schema);
    drifted.$defs.log.properties.attempt = { type: 'integer' };
    drifted.$defs.log.required.push('attempt');
    const errors = typeErrors({ 'schema-types.ts': await schemaTypes(drifted), 'agree.ts': agreementCheck() });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/agree\.ts/);
  });

  it('is types only: no value imports in its sources, nothing but `export {}` in its build', () => {
    for (const file of readdirSync(CONTRACTS).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(CONTRACTS, file), 'utf8');
      const valueImports = [...text.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map(
        (m) => m[0],
      );
      expect(valueImports, file).toEqual([]);
      expect(text, file).not.toMatch(/^\s*export\s+(const|function|class|let|enum)\b/m);
    }
    const built = path.join(repoRoot, 'kernel-lib', 'dist', 'contracts');
    for (const file of readdirSync(built).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(path.join(built, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .trim();
      expect(code, file).toBe('export {};');
    }
    const exported = JSON.parse(readFileSync(path.join(repoRoot, 'kernel-lib', 'package.json'), 'utf8')).exports;
    expect(exported['./contracts'].types).toBe('./dist/contracts/index.d.ts');
  });
});
