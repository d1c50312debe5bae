/**
 * The extension's view of a tagged notebook. `grammar.ts` fills these from
 * `@stillwater/kernel/tags` (the one implementation of the tag grammar); everything
 * else in the extension reads only these shapes.
 */
import type {
  GraphEdge,
  GraphStep,
  JsonValue,
  Diagnostic as KernelDiagnostic,
  ParameterType,
  StepKind,
} from '@stillwater/kernel/tags';

export type { GraphEdge, StepKind };

/** Roles a code cell can play, as the tag editor offers them ('continue' = no role tag). */
export const CELL_ROLES = ['continue', 'step', 'imports', 'functions', 'parameters', 'metrics', 'skip'] as const;
export type CellRoleName = (typeof CELL_ROLES)[number];

/** One notebook cell as the grammar sees it (indices count every cell, markdown too). */
export interface CellInfo {
  index: number;
  id: string;
  cellType: string;
  source: string;
  tags: string[];
}

/** A cell's own role, decoded from its tags (what the tag bar and editor show). */
export interface CellRole {
  role: CellRoleName;
  /** Step name, for `role === 'step'`. */
  name?: string;
  kind?: StepKind;
  /** `prev:` dependencies, for steps. */
  prev: string[];
}

/** A step of the DAG: the grammar's step plus the id of the cell carrying its tag. */
export interface StepNode extends GraphStep {
  cellIndex: number;
  cellId: string;
}

/** A grammar diagnostic, with the id of the cell it names (stable across cell moves). */
export interface Diagnostic extends KernelDiagnostic {
  cellId?: string;
}

export interface PipelineParameter {
  name: string;
  type: ParameterType;
  default: JsonValue;
  /** The default as the panel shows it: numbers and booleans as is, the rest as JSON. */
  defaultValue: string;
  cellIndex: number;
}

export interface PipelineAnalysis {
  steps: StepNode[];
  edges: GraphEdge[];
  diagnostics: Diagnostic[];
  parameters: PipelineParameter[];
  /** Role per cell id (code cells only). */
  roles: Map<string, CellRole>;
  /** The step each code cell belongs to (its own, or the block above it joins). */
  stepOfCell: Map<string, string>;
}
