/** Tiny DOM helpers shared by the history widgets. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A value as the history shows it: numbers to 4 decimals, the rest as JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : JSON.stringify(v);
}

/** A run's start as the history shows it: short date and time, in the user's locale. */
export function showTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}
