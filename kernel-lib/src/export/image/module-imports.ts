/**
 * What an ES module file loads, read from its text (bundles and the kernel's built
 * files are plain esbuild/tsc output): specifiers of static and dynamic imports,
 * re-exports, `require`s of literal strings, and files it opens next to itself with
 * `new URL('./x', import.meta.url)` (the kernel's workers). The step runtime picks its
 * lazy imports by a build-time flag (`var STEP_LIBS = true;` and `STEP_LIBS ? "a" : "b"`
 * in the bundle), read here so only the branch the bundle takes counts.
 */
export interface ModuleImports {
  /** Package specifiers (`parquet-wasm`, `@stillwater/kernel/step-libs/ml`). */
  bare: string[];
  /** Relative specifiers and `new URL` paths, as written. */
  relative: string[];
}

const STATIC = /(?:^|[;\s}])(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']([^"']+)["']/g;
const DYNAMIC = /\b(?:import|require\w*)\(\s*["']([^"']+)["']\s*\)/g;
const URL_NEXT_TO = /new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g;
const FLAG = /\bvar STEP_LIBS = (true|false);/;
const FLAGGED = /\bSTEP_LIBS \? "([^"]+)" : "([^"]+)"/g;

export function moduleImports(text: string): ModuleImports {
  const all = new Set<string>();
  for (const re of [STATIC, DYNAMIC, URL_NEXT_TO]) for (const m of text.matchAll(re)) all.add(m[1]!);
  const flag = FLAG.exec(text)?.[1];
  for (const m of text.matchAll(FLAGGED)) {
    if (flag !== 'false') all.add(m[1]!);
    if (flag !== 'true') all.add(m[2]!);
  }
  const specs = [...all].filter((s) => !s.startsWith('node:') && !s.includes('://'));
  return {
    bare: specs.filter((s) => !s.startsWith('.') && !s.startsWith('/')).sort(),
    relative: specs.filter((s) => s.startsWith('.')).sort(),
  };
}
