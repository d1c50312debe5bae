/**
 * The TypeScript compiler, loaded with `require`. Importing its 9 MB CommonJS
 * file from ESM makes Node scan it for named exports (cjs-module-lexer), which
 * costs ~1 s; `require` skips that. Modules import types from 'typescript'
 * with `import type` and the runtime value from here.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

export const tsc = createRequire(import.meta.url)('typescript') as typeof TS;
