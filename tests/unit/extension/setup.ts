/**
 * What JupyterLab widgets expect from a browser and jsdom lacks, plus the `jest` global
 * that `NBTestUtils` calls. Import this first in every extension component test.
 */
import { createRequire } from 'node:module';
import { vi } from 'vitest';

const g = globalThis as Record<string, unknown>;
// NBTestUtils' mocks are also used with `new`: wrap in a plain function so they construct.
g.jest ??= {
  fn: (impl?: (...args: unknown[]) => unknown) =>
    vi.fn(function (this: unknown, ...args: unknown[]) {
      return impl?.apply(this, args);
    }),
  requireActual: createRequire(import.meta.url),
};

if (typeof window !== 'undefined') {
  const w = window as unknown as Record<string, unknown>;
  w.matchMedia ??= (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  });
  class NoopObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
    takeRecords(): unknown[] {
      return [];
    }
  }
  w.ResizeObserver ??= NoopObserver;
  w.IntersectionObserver ??= NoopObserver;
  g.ResizeObserver ??= NoopObserver;
  g.IntersectionObserver ??= NoopObserver;
  if (!('DragEvent' in w)) {
    class DragEvent extends MouseEvent {
      dataTransfer = null;
    }
    w.DragEvent = DragEvent;
    g.DragEvent = DragEvent;
  }
  const rect = () => ({ x: 0, y: 0, top: 0, left: 0, bottom: 0, right: 0, width: 0, height: 0, toJSON: () => ({}) });
  const list = () => Object.assign([], { item: () => null });
  Range.prototype.getBoundingClientRect ??= rect as () => DOMRect;
  Range.prototype.getClientRects ??= list as unknown as () => DOMRectList;
  Element.prototype.scrollIntoView ??= () => {};
  if (!document.createRange) document.createRange = () => new Range();
}
