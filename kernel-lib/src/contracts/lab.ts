/**
 * What the JupyterLab extension asks of the notebook's kernel, and what comes back. The
 * extension builds a `LabRequest`, runs a one-line snippet that hands it to
 * `@stillwater/kernel/lab-api` (compiled, tested TypeScript), and reads the answers from
 * IOPub display messages under the two MIME types below. Both sides type-check against
 * these declarations.
 */
import type { Diagnostic } from '../pipeline/diagnostics.js';
import type { RunRecord, StepExecutionRecord, TableVersionLineage } from './run-records.js';

/** The MIME type each run event is displayed under (the value is the event as JSON text). */
export type RunEventMime = 'application/vnd.stillwater.run-event+json';
/** The MIME type of a request's outcome (a `LabOutcome` as JSON text). */
export type ResultMime = 'application/vnd.stillwater.result+json';

/** The notebook as the user sees it now (compiled from this, not from disk, when dirty). */
export interface NotebookSource {
  /** Notebook file name, relative to the kernel's working directory (the notebook's folder). */
  notebookFile: string;
  notebook: unknown;
  /** Whether that differs from the file (then a hidden snapshot is compiled instead). */
  dirty: boolean;
}

export type ExportTarget = 'kfp' | 'argo' | 'airflow';

/** Which runs a history request lists (all conditions must hold). */
export interface RunFilter {
  pipeline?: string;
  status?: RunRecord['status'][];
  /** Parameter name → value as the run recorded it, written as `--param` would take it. */
  params?: Record<string, string>;
}

export interface CompileRequest extends NotebookSource {
  kind: 'compile';
}

export interface RunRequest extends NotebookSource {
  kind: 'run';
  /** `--param` values as text (the runner types them against the pipeline's spec). */
  params: Record<string, string>;
  /** Take every parameter from this earlier run (`--params-from`); `params` override it. */
  paramsFrom?: string;
  from?: string;
  only?: string;
  /** 0 = the runner's default. */
  concurrency: number;
  cache: boolean;
  /** Default lakehouse root for steps, relative to the notebook's folder ("" = leave it). */
  lakehouseRoot: string;
  /**
   * A file name in the notebook's `<name>.pipeline/` folder whose appearance cancels the
   * run: the kernel is busy with the run, so Cancel writes it through the contents API.
   */
  cancelFile: string;
}

export interface ExportRequest extends NotebookSource {
  kind: 'export';
  target: ExportTarget;
}

export interface HistoryRequest {
  kind: 'history';
  /** Runs whose step executions to include. */
  runIds: string[];
  filter?: RunFilter;
}

/** Which run and step wrote a table version, from which inputs (`stillwater runs lineage`). */
export interface LineageRequest {
  kind: 'lineage';
  /** The table's folder, relative to the notebook's folder or absolute. */
  table: string;
  /** Default: the latest version. */
  version?: number;
}

export type LabRequest = CompileRequest | RunRequest | ExportRequest | HistoryRequest | LineageRequest;

export interface CompileOutcome {
  kind: 'compile';
  ok: boolean;
  /** The compiled pipeline folder (absolute, in the kernel's file system). */
  dir: string;
  diagnostics: Diagnostic[];
}

export interface ExportOutcome {
  kind: 'export';
  ok: boolean;
  diagnostics: Diagnostic[];
  target?: ExportTarget;
  /** Absolute path of the written file (beside the notebook). */
  file?: string;
  image?: string;
  defaultImage?: boolean;
}

export interface HistoryOutcome {
  kind: 'history';
  /** The Stillwater home the runs were read from. */
  home: string;
  /** Newest first, after the filter. */
  runs: RunRecord[];
  steps: Record<string, StepExecutionRecord[]>;
}

export interface LineageOutcome {
  kind: 'lineage';
  ok: boolean;
  lineage?: TableVersionLineage;
  /** Why there is no answer (no such table or version), one line. */
  error?: string;
}

export type LabOutcome = CompileOutcome | ExportOutcome | HistoryOutcome | LineageOutcome;
