/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
