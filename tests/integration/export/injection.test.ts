/**
 * Hostile names and values — quotes, spaces, `$()`, backticks, newlines, YAML and Python
 * look-alikes, non-ASCII, line separators — through every exporter, read back with real
 * parsers (YAML 1.1, Python's ast + Jinja as Airflow renders, Kubernetes' `$$` undone)
 * to exactly the strings that went in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportValueError, exportPipeline } from '../../../kernel-lib/src/export/index.js';
import type { PipelineSpec, PipelineStep } from '../../../kernel-lib/src/pipeline/spec.js';
import { argoProblems, kfpProblems, readAirflow, sharedRefsMissing, yamlDocs } from '../../helpers/export-checks.js';
import { repoRoot } from '../../helpers/paths.js';
import { plainStep } from '../../helpers/sample-spec.js';

const HOSTILE = [
  `it's "quoted"`,
  'two words\tand a tab',
  '$(rm -rf /)',
  '`whoami`',
  'line1\nline2\r\nline3',
  'naïve → 日本語 🚀',
  "'; DROP TABLE x; --",
  '# not a comment: really',
  'yes',
  '0755',
  'back\\slash\\',
  'LS\u2028NEL\u0085BOM\ufeff',
  '- item: value',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile value, not a template
  '${HOME} $$ $VAR',
  '"""triple""" \'\'\'',
];
const BRACES = '{{ 7*7 }} {% raw %}';
/** Kale's annotation: values may hold anything: every hostile string as one. */
const HOSTILE_ANNOTATIONS = Object.fromEntries(HOSTILE.map((v, i) => [`example.com/a${i}`, v]));

const step = (name: string, over: Partial<PipelineStep>): PipelineStep =>
  plainStep(name, { bundle: `steps/s${name.length}.mjs`, hash: 'c'.repeat(64), ...over });

/** Three steps named by hostile strings, hostile variable and parameter names, hostile defaults. */
function hostileSpec(values: string[]): PipelineSpec {
  const [a, b, c] = [HOSTILE[0]!, HOSTILE[4]!, HOSTILE[5]!];
  const params = HOSTILE.map((name, i) => ({ name, type: 'string' as const, default: values[i]!, cell: 1 }));
  params.push({
    name: 'json',
    type: 'json' as never,
    default: { [HOSTILE[2]!]: values.slice(0, 4) } as never,
    cell: 1,
  });
  return {
    specVersion: 1,
    name: 'hostile',
    description: HOSTILE.join(' | '),
    hash: 'd'.repeat(64),
    notebook: '../x.ipynb',
    lakehouseRoot: null,
    parameters: params,
    steps: [
      step(a, { outputs: [{ name: HOSTILE[6]!, marshal: 'arrow' }], parameters: HOSTILE.slice(0, 8) }),
      step(b, {
        deps: [a],
        inputs: [{ name: HOSTILE[6]!, from: a, marshal: 'arrow' }],
        outputs: [{ name: HOSTILE[7]!, marshal: 'structured-clone' }],
        parameters: [...HOSTILE.slice(8), 'json'],
        metrics: ['m'],
        retries: 2,
        timeoutSeconds: 60,
        limits: { cpu: '1', memory: '1Gi' },
        annotations: HOSTILE_ANNOTATIONS,
      }),
      step(c, { deps: [b], inputs: [{ name: HOSTILE[7]!, from: b, marshal: 'structured-clone' }] }),
    ],
    metrics: [{ name: 'm', step: b }],
    sourceMap: { format: 'source-map-v3', sourcePattern: '../x.ipynb/cell-{cell}' },
  };
}

/** Default values: the corpus rotated, so each name gets another hostile string. */
const rotated = HOSTILE.map((_, i) => HOSTILE[(i + 3) % HOSTILE.length]!);
const unK8s = (s: string) => s.replaceAll('$$', '$');
const paramArgs = (args: string[]) => args.filter((_, i) => args[i - 1] === '--param');

describe('injection corpus through the exporters', () => {
  it('has at least 10 hostile strings', () => expect(HOSTILE.length).toBeGreaterThanOrEqual(10));

  it.skipIf(sharedRefsMissing)(
    'KFP: names, values and description read back exactly; still a strict PipelineSpec',
    () => {
      const spec = hostileSpec([...rotated.slice(0, -1), BRACES]);
      const { text } = exportPipeline(spec, 'kfp', { image: 'img:1' });
      expect(kfpProblems(text)).toEqual([]);
      const [ir, platform] = yamlDocs(text);
      const pods = Object.values<{ podMetadata?: { annotations: object } }>(
        platform!.platforms.kubernetes.deploymentSpec.executors,
      );
      expect(pods.map((e) => e.podMetadata?.annotations).filter(Boolean)).toEqual([HOSTILE_ANNOTATIONS]);
      expect(ir!.pipelineInfo.description).toBe(spec.description);
      const tasks = Object.values<{ taskInfo: { name: string } }>(ir!.root.dag.tasks).map((t) => t.taskInfo.name);
      expect(tasks.sort()).toEqual(spec.steps.map((s) => s.name).sort());
      const defaults = ir!.root.inputDefinitions.parameters;
      const executors = Object.values<{ container: { args: string[] } }>(ir!.deploymentSpec.executors);
      const seen = new Map<string, unknown>();
      for (const e of executors) {
        for (const arg of paramArgs(e.container.args).map(unK8s)) {
          const m = /^([\s\S]*)=\{\{\$\.inputs\.parameters\['([A-Za-z0-9_]+)'\]\}\}$/.exec(arg)!;
          seen.set(m[1]!, ir!.components[`comp-${taskOf(ir!, e)}`].inputDefinitions.parameters[m[2]!] && m[2]);
        }
      }
      expect([...seen.keys()].sort()).toEqual(spec.parameters.map((p) => p.name).sort());
      for (const p of spec.parameters) {
        const rootKey = Object.keys(defaults).find((k) => seen.get(p.name) === k)!;
        const value = defaults[rootKey].defaultValue;
        expect(p.type === 'json' ? value : value).toEqual(p.default);
      }
    },
  );

  it.skipIf(sharedRefsMissing)('Argo: names, values and description read back exactly; schema-valid', () => {
    const spec = hostileSpec(rotated);
    const { text } = exportPipeline(spec, 'argo', { image: 'img:1' });
    expect(argoProblems(text)).toEqual([]);
    const [doc] = yamlDocs(text);
    expect(doc!.metadata.annotations['workflows.argoproj.io/description']).toBe(spec.description);
    const annotated = doc!.spec.templates.filter(
      (t: { metadata?: { annotations: Record<string, string> } }) => t.metadata?.annotations['example.com/a0'],
    );
    expect(annotated.map((t: { metadata: { annotations: object } }) => t.metadata.annotations)).toEqual([
      { ...HOSTILE_ANNOTATIONS, 'stillwater.dev/step': spec.steps[1]!.name },
    ]);
    const templates = doc!.spec.templates.filter((t: { container?: unknown }) => t.container);
    expect(
      templates
        .map(
          (t: { metadata: { annotations: Record<string, string> } }) => t.metadata.annotations['stillwater.dev/step'],
        )
        .sort(),
    ).toEqual(spec.steps.map((s) => s.name).sort());
    const workflowValue = new Map<string, string>(
      doc!.spec.arguments.parameters.map((p: { name: string; value: string }) => [p.name, p.value]),
    );
    const names: string[] = [];
    for (const t of templates) {
      for (const arg of paramArgs(t.container.args).map(unK8s)) {
        const m = /^([\s\S]*)=\{\{inputs\.parameters\.([A-Za-z0-9_]+)\}\}$/.exec(arg)!;
        names.push(m[1]!);
        const p = spec.parameters.find((q) => q.name === m[1])!;
        const value = workflowValue.get(m[2]!)!;
        expect(p.type === 'json' ? JSON.parse(value) : value).toEqual(p.default);
      }
    }
    expect(names.sort()).toEqual(spec.parameters.map((p) => p.name).sort());
  });

  it('Airflow: after Python, Jinja and Kubernetes the container gets exactly NAME=VALUE', () => {
    const spec = hostileSpec([...rotated.slice(0, -1), BRACES]);
    const dir = path.join(repoRoot, 'tests', '.out', 'export-injection');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'hostile_dag.py');
    writeFileSync(file, exportPipeline(spec, 'airflow', { image: 'img:{{ x }}.json' }).text);
    const dag = readAirflow([file])[file]!;
    expect(dag.dag.description).toBe(spec.description);
    expect(dag.operators).toHaveLength(3);
    expect(dag.operators.map((o) => o.annotations)).toEqual([{}, HOSTILE_ANNOTATIONS, {}]);
    // `rendered` is after Jinja (with the params' defaults) and Kubernetes' `$$` (airflow_check.py).
    const rendered = dag.operators.flatMap((o) => paramArgs(o.rendered));
    for (const p of spec.parameters) {
      const arg = rendered.find((a) => a.startsWith(`${p.name}=`))!;
      const value = arg.slice(p.name.length + 1);
      expect(p.type === 'json' ? JSON.parse(value) : value).toEqual(p.default);
    }
    expect(rendered).toHaveLength(spec.parameters.length);
  });

  it('refuses what a target cannot carry, naming the step or parameter', () => {
    const braces = hostileSpec(rotated);
    braces.steps[0]!.outputs[0]!.name = BRACES;
    braces.steps[1]!.inputs[0]!.name = BRACES;
    expect(() => exportPipeline(braces, 'kfp')).toThrow(ExportValueError);
    expect(() => exportPipeline(braces, 'kfp')).toThrow(
      /step "it's \\"quoted\\"": "\{\{ 7\*7 \}\} \{% raw %\}=" holds "\{\{", which KFP would read/,
    );
    expect(() => exportPipeline(braces, 'argo')).toThrow(ExportValueError);
    const argoValue = hostileSpec([...rotated.slice(0, -1), BRACES]);
    expect(() => exportPipeline(argoValue, 'argo')).toThrow(/"{{ 7\*7 }} {% raw %}" holds "{{", which Argo would read/);
    const equals = hostileSpec(rotated);
    equals.parameters[0]!.name = 'a=b';
    equals.steps[0]!.parameters[0] = 'a=b';
    for (const target of ['kfp', 'argo', 'airflow'] as const) {
      expect(() => exportPipeline(equals, target)).toThrow(/--param name "a=b" cannot hold "="/);
    }
  });
});

function taskOf(ir: ReturnType<typeof yamlDocs>[number], executor: unknown): string {
  const label = Object.entries<unknown>(ir.deploymentSpec.executors).find(([, e]) => e === executor)![0];
  return label.replace(/^exec-/, '');
}
