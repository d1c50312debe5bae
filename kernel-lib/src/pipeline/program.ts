/**
 * One TypeScript Program over the whole notebook, for symbol resolution and the
 * type checker. The notebook's code cells are concatenated into one virtual
 * module placed in the notebook's folder, so imports resolve from there upward
 * like tslab resolves them. Library `.d.ts` files are parsed once per process
 * and reused by every later compile (they dominate the cost).
 */
import path from 'node:path';
import type * as ts from 'typescript';
import { tsc } from './typescript.js';

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: tsc.ScriptTarget.ES2022,
  module: tsc.ModuleKind.ESNext,
  moduleResolution: tsc.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  skipDefaultLibCheck: true,
  esModuleInterop: true,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  allowJs: false,
  noLib: false,
};

const sourceFileCache = new Map<string, ts.SourceFile>();
const NODE_TYPES = /[\\/]@types[\\/]node[\\/]/;
/**
 * Whether notebook code touches Node APIs. @types/node is ~2 MB of declarations
 * (70% of a typical program); libraries such as apache-arrow reference it, but
 * their types we care about (Table) do not need it. When the notebook itself
 * does not use Node, its files are replaced by empty ones: a cold compile is
 * then several times faster.
 */
export function usesNodeApis(text: string): boolean {
  return /\b(process|Buffer|require|__dirname|__filename|NodeJS|setImmediate)\b|from\s+['"](node:|(fs|path|os|crypto|child_process|stream|url|util|zlib|https?|net|events|worker_threads|readline|v8|module|assert|buffer|timers)(\/[\w/]*)?['"])/.test(
    text,
  );
}
const moduleResolutionCache = tsc.createModuleResolutionCache(process.cwd(), (f) => f, COMPILER_OPTIONS);

/** Creates the program; `virtualPath` must be absolute, in the notebook's folder. */
export function createNotebookProgram(virtualPath: string, text: string): ts.Program {
  const withNode = usesNodeApis(text);
  const options: ts.CompilerOptions = { ...COMPILER_OPTIONS, types: withNode ? ['node'] : [] };
  const host = tsc.createCompilerHost(options, false);
  // JSDoc in library declarations does not change types; skipping it saves ~20% of parsing.
  host.jsDocParsingMode = tsc.JSDocParsingMode.ParseNone;
  const baseGetSourceFile = host.getSourceFile.bind(host);
  const normal = path.normalize(virtualPath);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (path.normalize(fileName) === normal) return tsc.createSourceFile(fileName, text, tsc.ScriptTarget.ES2022, true);
    // Declaration files of libraries do not change during a process; cache them.
    if (!withNode && NODE_TYPES.test(fileName)) return emptyFile(fileName);
    const cacheable = fileName.endsWith('.d.ts') || fileName.includes(`${path.sep}node_modules${path.sep}`);
    const cached = cacheable ? sourceFileCache.get(fileName) : undefined;
    if (cached) return cached;
    const sf = baseGetSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (sf && cacheable) sourceFileCache.set(fileName, sf);
    return sf;
  };
  const baseFileExists = host.fileExists.bind(host);
  host.fileExists = (f) => path.normalize(f) === normal || baseFileExists(f);
  const baseReadFile = host.readFile.bind(host);
  host.readFile = (f) => (path.normalize(f) === normal ? text : baseReadFile(f));
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) =>
    literals.map((lit) =>
      tsc.resolveModuleName(
        lit.text,
        containingFile,
        options,
        host,
        moduleResolutionCache,
        redirected,
        tsc.ModuleKind.ESNext,
      ),
    );
  return tsc.createProgram({ rootNames: [virtualPath], options, host });
}

const emptyFiles = new Map<string, ts.SourceFile>();
function emptyFile(fileName: string): ts.SourceFile {
  let sf = emptyFiles.get(fileName);
  if (!sf) {
    sf = tsc.createSourceFile(fileName, 'export {};', tsc.ScriptTarget.ES2022, false);
    emptyFiles.set(fileName, sf);
  }
  return sf;
}
