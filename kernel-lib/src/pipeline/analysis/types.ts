/** The shapes the analysis phases pass between them, and what the analysis returns. */
import type * as ts from 'typescript';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import type { CellBlock } from '../graph.js';
import type { MarshalKind, PipelineMetric, PipelineParameter } from '../spec.js';
import type { Span } from '../throw-wrap.js';

/** A code cell taking part in the pipeline, with its magics blanked out. */
export interface PreparedCell {
  index: number;
  block: CellBlock;
  /** The original source (for source maps' sourcesContent). */
  source: string;
  /** Source with `%magic` lines replaced by blank lines (same line numbers). */
  code: string;
  /** Top-level import declarations: 0-based start/end lines within the cell and the text. */
  imports: ImportInfo[];
  /** Operands of `throw` statements that may throw a non-Error (wrapped by codegen to record a stack). */
  throwOperands?: Span[];
}

export interface ImportInfo {
  cell: number;
  startLine: number;
  endLine: number;
  /** [start, end) character offsets within the cell's code. */
  start: number;
  end: number;
  text: string;
  sideEffectOnly: boolean;
  namespace: boolean;
}

export interface StepFlow {
  name: string;
  inputs: { name: string; from: string; marshal: MarshalKind }[];
  outputs: { name: string; marshal: MarshalKind }[];
  parameters: string[];
  metrics: string[];
  /** Import declarations from other steps' cells this step relies on (re-included). */
  borrowedImports: ImportInfo[];
}

export interface Analysis {
  cells: PreparedCell[];
  steps: StepFlow[];
  parameters: PipelineParameter[];
  metrics: PipelineMetric[];
  diagnostics: Diagnostic[];
}

export type DeclKind = 'let' | 'const' | 'var' | 'function' | 'class' | 'enum' | 'import';

/** A top-level declaration of the notebook and the cell that holds it. */
export interface TopDecl {
  name: string;
  cell: number;
  kind: DeclKind;
  nameNode: ts.Node;
  statement: ts.Statement;
  importInfo?: ImportInfo;
}

export type Usage = 'read' | 'reassign' | 'mutate';

/** A use of a top-level declaration. */
export interface Ref {
  sym: ts.Symbol;
  id: ts.Identifier;
  usage: Usage;
}

/** Records one diagnostic on a cell (every phase reports through it, in phase order). */
export type Report = (
  severity: 'error' | 'warning',
  code: DiagnosticCode,
  cell: number,
  message: string,
  extra?: Partial<Pick<Diagnostic, 'line' | 'tag' | 'step' | 'variable'>>,
) => void;

/** The first line of a statement, shortened for a message. */
export function firstLine(s: string): string {
  const l = s.split('\n')[0]!.trim();
  return l.length > 60 ? `${l.slice(0, 57)}...` : l;
}

/** Code-unit order (locale-independent, so specs are byte-identical everywhere). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
