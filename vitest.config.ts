import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig, type Plugin } from 'vitest/config';

/** JupyterLab packages import their icons as `.svg` modules: load them as strings. */
const svgAsString: Plugin = {
  name: 'svg-as-string',
  enforce: 'pre',
  load(id) {
    if (!id.endsWith('.svg')) return null;
    return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
  },
};

export default defineConfig({
  plugins: [svgAsString],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // Run on their own afterwards (tests/integration/ray/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'tests/integration/ray/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The extension's component tests (tests/unit/extension, jsdom via a per-file
    // `@vitest-environment` comment) load JupyterLab's ESM packages, which import .svg
    // and .json files: Vite must transform them. services/coreutils/statedb stay external.
    server: {
      deps: {
        inline: [/@jupyterlab\/(?!services|coreutils|statedb|testing)/, /@jupyter\//, /\/yjs\//, /y-protocols/],
      },
    },
  },
});
