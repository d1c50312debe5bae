/**
 * Parameter values typed in the panel → the text the runner parses (`--param` style).
 * The panel shows defaults as the notebook writes them (TypeScript literals), so a
 * quoted string literal is unquoted; numbers, booleans and JSON pass through for the
 * runner to parse against the parameter's declared type (and reject clearly).
 */
export function paramText(typed: string): string {
  const t = typed.trim();
  const single = /^'((?:[^'\\]|\\.)*)'$/.exec(t);
  if (single) return single[1]!.replace(/\\(.)/g, '$1');
  if (/^"(?:[^"\\]|\\.)*"$/.test(t)) {
    try {
      return JSON.parse(t) as string;
    } catch {}
  }
  const template = /^`([^`$\\]*)`$/.exec(t);
  if (template) return template[1]!;
  return t;
}
