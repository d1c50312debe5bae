/**
 * Rich output in a tslab kernel. tslab is loaded lazily and only when it can
 * display (inside a running kernel), so the library works unchanged in
 * compiled pipeline steps, tests and scripts: there every `show*` call prints
 * its plain-text fallback to stdout instead.
 */
import { createRequire } from 'node:module';

interface TslabDisplay {
  html(s: string): void;
  svg(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
  raw(mime: string, data: unknown): void;
}

let cached: TslabDisplay | null | undefined;

/** tslab's display when running inside a tslab kernel, otherwise null. */
export function tslabDisplay(): TslabDisplay | null {
  if (cached !== undefined) return cached;
  try {
    const require = createRequire(import.meta.url);
    const jupyter = require('tslab/dist/jupyter.js') as { lastWriteDisplayData: unknown };
    // tslab sets lastWriteDisplayData once its kernel is serving; before that display throws "Not ready".
    cached = jupyter.lastWriteDisplayData ? (require('tslab') as { display: TslabDisplay }).display : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** True inside a tslab kernel. */
export function inKernel(): boolean {
  return tslabDisplay() !== null;
}

/** Shows HTML in a kernel; prints `fallback` (if any) elsewhere. */
export function showHtml(html: string, fallback?: string): void {
  const d = tslabDisplay();
  if (d) d.html(html);
  else if (fallback !== undefined) console.log(fallback);
}

/** Shows an SVG image in a kernel; prints `fallback` (if any) elsewhere. */
export function showSvg(svg: string, fallback?: string): void {
  const d = tslabDisplay();
  if (d) d.svg(svg);
  else if (fallback !== undefined) console.log(fallback);
}

/** Shows Markdown in a kernel; prints it as text elsewhere. */
export function showMarkdown(md: string): void {
  const d = tslabDisplay();
  if (d) d.markdown(md);
  else console.log(md);
}
