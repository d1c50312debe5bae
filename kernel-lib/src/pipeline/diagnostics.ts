/**
 * Compiler diagnostics. Browser-safe (used by `@stillwater/kernel/tags`).
 * Every diagnostic that concerns a cell names it by 0-based index and first
 * source line, so the JupyterLab extension and the CLI can point at it.
 */

export type Severity = 'error' | 'warning';

/** Stable machine-readable codes (the extension may key UI on them). */
export type DiagnosticCode =
  | 'unknown-tag'
  | 'bad-step-name'
  | 'bad-tag-value'
  | 'conflicting-tags'
  | 'option-without-step'
  | 'undefined-prev'
  | 'duplicate-step'
  | 'self-dependency'
  | 'cycle'
  | 'no-steps'
  | 'leading-untagged'
  | 'bad-parameters-cell'
  | 'duplicate-parameter'
  | 'bad-metrics-cell'
  | 'unknown-metric'
  | 'bad-metadata'
  | 'kernelspec'
  | 'magic'
  | 'syntax'
  | 'unmarshallable'
  | 'untyped-variable'
  | 'mutates-input'
  | 'aliasing'
  | 'import-across-steps'
  | 'non-ancestor-read'
  | 'skipped-read'
  | 'functions-reads-step-variable'
  | 'bundle';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  /** Full human-readable message, already naming the cell/tag/variable. */
  message: string;
  /** 0-based index of the cell in the notebook's `cells` array. */
  cell?: number;
  /** First non-empty source line of that cell (trimmed, at most 80 chars). */
  cellFirstLine?: string;
  /** 1-based line within the cell. */
  line?: number;
  tag?: string;
  step?: string;
  variable?: string;
}

/** The first non-empty line of a cell, trimmed to 80 characters, for messages. */
export function firstSourceLine(source: string): string {
  const line = source.split('\n').find((l) => l.trim() !== '') ?? '';
  const t = line.trim();
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** `cell 4 ("const df = load()")` — how every message names a cell. */
export function describeCell(index: number, source: string): string {
  const first = firstSourceLine(source);
  return first ? `cell ${index} (${JSON.stringify(first)})` : `cell ${index} (empty)`;
}

/** Builds a diagnostic about a cell, prefixing the message with the cell's description. */
export function cellDiagnostic(
  severity: Severity,
  code: DiagnosticCode,
  cell: { index: number; source: string },
  message: string,
  extra: Partial<Pick<Diagnostic, 'line' | 'tag' | 'step' | 'variable'>> = {},
): Diagnostic {
  const where = extra.line !== undefined ? `, line ${extra.line}` : '';
  return {
    severity,
    code,
    message: `${describeCell(cell.index, cell.source)}${where}: ${message}`,
    cell: cell.index,
    cellFirstLine: firstSourceLine(cell.source),
    ...extra,
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Errors first, then by cell, then by line; stable for deterministic output. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic) => (d.severity === 'error' ? 0 : 1);
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        rank(a.d) - rank(b.d) || (a.d.cell ?? -1) - (b.d.cell ?? -1) || (a.d.line ?? 0) - (b.d.line ?? 0) || a.i - b.i,
    )
    .map((x) => x.d);
}
