/**
 * The types of `pipeline.json`, the one data structure between the compiler and
 * everything downstream (local runner, Kubeflow/Argo/Airflow exports, the
 * JupyterLab DAG panel). `schema/pipeline.schema.json` describes the same shape;
 * a unit test keeps the two in step.
 *
 * All paths in a spec are relative (to the folder holding `pipeline.json`), so a
 * compiled pipeline can be moved or copied into a container image unchanged.
 */

/** Bumped when the shape of `pipeline.json` changes incompatibly. */
export const PIPELINE_SPEC_VERSION = 1 as const;

/** How a parameter value given as `--param NAME=VALUE` text is parsed. */
export type ParameterType = 'number' | 'string' | 'boolean' | 'json';

/** A value that can be written as JSON (parameter defaults, `json` parameters). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a variable crosses a step boundary (see STEP-CONTRACT.md for the file formats):
 * - `arrow`: an apache-arrow `Table`, written as an Arrow IPC file.
 * - `delta-table`: a lakehouse `DeltaTable` handle, written as `{"kind":"delta-table","path"}` and re-opened.
 * - `lakehouse`: a `Lakehouse` handle, written as `{"kind":"lakehouse","root"}` and re-opened.
 * - `xgboost-model`: an `XGBoostModel`, written as its model bytes (`toBytes()`).
 * - `structured-clone`: plain data, typed arrays, Map, Set, Date… written with `v8.serialize`.
 */
export type MarshalKind = 'arrow' | 'delta-table' | 'lakehouse' | 'xgboost-model' | 'structured-clone';

export const MARSHAL_KINDS: readonly MarshalKind[] = [
  'arrow',
  'delta-table',
  'lakehouse',
  'xgboost-model',
  'structured-clone',
];

/** What a step does; informational (UI colouring, exports), from the `kind:` tag. */
export type StepKind = 'ingest' | 'prepare' | 'train' | 'evaluate' | 'validate' | 'other';

export const STEP_KINDS: readonly StepKind[] = ['ingest', 'prepare', 'train', 'evaluate', 'validate', 'other'];

/** A pipeline parameter, from a `pipeline-parameters` cell (`const NAME = literal`). */
export interface PipelineParameter {
  name: string;
  type: ParameterType;
  default: JsonValue;
  /** The notebook cell (0-based index) that declares it. */
  cell: number;
}

/** A variable a step receives: produced by step `from` as its output of the same name. */
export interface StepInput {
  name: string;
  from: string;
  marshal: MarshalKind;
}

/** A top-level variable a step hands to at least one downstream step. */
export interface StepOutput {
  name: string;
  marshal: MarshalKind;
}

/** Lines `startLine..endLine` (1-based, inclusive) of notebook cell `cell` (0-based index). */
export interface SourceRange {
  cell: number;
  startLine: number;
  endLine: number;
}

/**
 * Resource limits from `limit:RESOURCE:QTY` tags (Kale's; Kubernetes resource names and
 * quantities): `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>` or an extended
 * resource such as `nvidia.com/gpu`. The local runner enforces `cpu` (slots) and `memory`.
 */
export interface StepLimits {
  cpu?: string;
  memory?: string;
  [resource: string]: string | undefined;
}

/** How a step runs, from its tags (and Kale's step defaults): the same in the tag graph and the spec. */
export interface StepSettings {
  cache: boolean;
  retries: number;
  /** Wall-clock limit; null = no limit. */
  timeoutSeconds: number | null;
  limits: StepLimits;
  /** Kale's `image:` tag: the container image the exports run this step in (absent: the export's image). */
  image?: string;
  /** Kale's `annotation:KEY:VALUE` tags: pod annotations in the exports (absent when none). */
  annotations?: Record<string, string>;
  /** Kale's `label:KEY:VALUE` tags: pod labels in the exports (absent when none). */
  labels?: Record<string, string>;
}

export interface PipelineStep extends StepSettings {
  name: string;
  kind: StepKind;
  /** Names of the steps that must finish first (from `prev:` tags), sorted. */
  deps: string[];
  /** The step bundle, relative to the folder of `pipeline.json` (e.g. `steps/train.mjs`). */
  bundle: string;
  inputs: StepInput[];
  outputs: StepOutput[];
  /** Pipeline parameters this step reads (passed as `--param NAME=VALUE`). */
  parameters: string[];
  /** Metrics this step produces (written to `--metrics PATH`). */
  metrics: string[];
  /** The notebook cells whose code this step runs (its own cells, not imports/functions). */
  source: SourceRange[];
  /** sha256 (hex) of everything that determines the step's behaviour: code, inputs, parameters. */
  hash: string;
}

/** A metric of the pipeline: named in a `pipeline-metrics` cell, produced by `step`. */
export interface PipelineMetric {
  name: string;
  step: string;
}

export interface PipelineSpec {
  specVersion: typeof PIPELINE_SPEC_VERSION;
  name: string;
  description: string;
  /** sha256 (hex) over the whole spec except this field. */
  hash: string;
  /** The notebook, relative to the folder of `pipeline.json`. Steps run with the notebook's folder as cwd locally. */
  notebook: string;
  /** Lakehouse root from `metadata.stillwater.lakehouseRoot` (relative = to the notebook's folder); null if unset. */
  lakehouseRoot: string | null;
  parameters: PipelineParameter[];
  /** Steps in notebook order (a topological order is not implied; use `deps`). */
  steps: PipelineStep[];
  metrics: PipelineMetric[];
  sourceMap: SourceMapInfo;
}

/**
 * How bundle positions map back to the notebook: each bundle has a linked
 * `<bundle>.map` (source map v3) whose `sources` are `<notebook path relative to the map>/cell-<index>`,
 * with each cell's text in `sourcesContent`.
 */
export interface SourceMapInfo {
  format: 'source-map-v3';
  /** Pattern of the `sources` entries (the notebook relative to the map's folder); `{cell}` is the 0-based cell index. */
  sourcePattern: string;
}
