/**
 * One TypeScript Program over the whole notebook, for symbol resolution and the
 * type checker. The notebook's code cells are concatenated into one virtual
 * module placed in the notebook's folder, so imports resolve from there upward
 * like tslab resolves them. Library `.d.ts` files are parsed once per process
 * and reused by every later compile (they dominate the cost).
 */
import { statSync } from 'node:fs';
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

const sourceFileCache = new Map<string, { sf: ts.SourceFile; version: number }>();

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
const NODE_TYPES = /[\\/]@types[\\/]node[\\/]/;
/**
 * How much of Node the notebook code touches. @types/node is ~2 MB of
 * declarations (70% of a typical program); libraries such as apache-arrow
 * reference it, but the types we care about (Table) do not need it.
 * - `none`: @types/node files are replaced by empty ones;
 * - `process`: the code only reads `process.env`/`argv`/`cwd()`/`exit()`/`platform`
 *   (common: lakehouse roots from the environment); a small declaration of
 *   `process` stands in for @types/node;
 * - `full`: @types/node is loaded.
 * A cold compile is several times faster without @types/node.
 */
export type NodeUsage = 'none' | 'process' | 'full';

const NODE_IMPORT =
  /from\s+['"](node:|(fs|path|os|crypto|child_process|stream|url|util|zlib|https?|net|events|worker_threads|readline|v8|module|assert|buffer|timers)(\/[\w/]*)?['"])/;
const NODE_GLOBALS = /\b(Buffer|require|__dirname|__filename|NodeJS|setImmediate|global)\b/;
const PROCESS_USE = /\bprocess\b(?!\.(env|argv|platform)\b|\.(cwd|exit)\()/;

export function nodeUsage(text: string): NodeUsage {
  if (NODE_IMPORT.test(text) || NODE_GLOBALS.test(text) || PROCESS_USE.test(text)) return 'full';
  return /\bprocess\b/.test(text) ? 'process' : 'none';
}

/** Stands in for @types/node when the notebook only reads process.env and friends. */
const PROCESS_DECLARATION = `declare var process: {
  env: Record<string, string | undefined>;
  argv: string[];
  platform: string;
  cwd(): string;
  exit(code?: number): never;
};
`;
const PROCESS_FILE = '__stillwater_process__.d.ts';

const moduleResolutionCache = tsc.createModuleResolutionCache(process.cwd(), (f) => f, COMPILER_OPTIONS);
const fileExistsCache = new Map<string, boolean>();
const directoryExistsCache = new Map<string, boolean>();
const readFileCache = new Map<string, string | undefined>();
const realpathCache = new Map<string, string>();
const NODE_MODULES = /[\\/]node_modules[\\/]/;
const TS_LIB_DIR = path.dirname(tsc.getDefaultLibFilePath(COMPILER_OPTIONS));

function isPackagePath(p: string): boolean {
  return NODE_MODULES.test(p) || p.startsWith(TS_LIB_DIR);
}

/** Memoises `fn` for paths inside packages; other paths (the notebook's folder) are always asked. */
function memo<T>(cache: Map<string, T>, p: string, fn: (p: string) => T): T {
  if (!isPackagePath(p)) return fn(p);
  if (cache.has(p)) return cache.get(p) as T;
  const v = fn(p);
  cache.set(p, v);
  return v;
}

/** Creates the program; `virtualPath` must be absolute, in the notebook's folder. */
export function createNotebookProgram(virtualPath: string, text: string): ts.Program {
  const usage = nodeUsage(text);
  const withNode = usage === 'full';
  const options: ts.CompilerOptions = { ...COMPILER_OPTIONS, types: withNode ? ['node'] : [] };
  const processPath = path.join(path.dirname(virtualPath), PROCESS_FILE);
  const rootNames = usage === 'process' ? [virtualPath, processPath] : [virtualPath];
  const host = tsc.createCompilerHost(options, false);
  // JSDoc in library declarations does not change types; skipping it saves ~20% of parsing.
  host.jsDocParsingMode = tsc.JSDocParsingMode.ParseNone;
  const baseGetSourceFile = host.getSourceFile.bind(host);
  const normal = path.normalize(virtualPath);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (path.normalize(fileName) === normal) return tsc.createSourceFile(fileName, text, tsc.ScriptTarget.ES2022, true);
    if (usage === 'process' && fileName === processPath)
      return tsc.createSourceFile(fileName, PROCESS_DECLARATION, tsc.ScriptTarget.ES2022, false);
    if (!withNode && NODE_TYPES.test(fileName)) return emptyFile(fileName);
    // Parsed files are reused by later compiles in this process: package and lib files
    // as they are, other files (a workspace package's dist, local modules) while their
    // modification time is unchanged.
    const version = isPackagePath(fileName) ? 0 : mtimeOf(fileName);
    const cached = sourceFileCache.get(fileName);
    if (cached && cached.version === version) return cached.sf;
    const sf = baseGetSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (sf && version !== undefined) sourceFileCache.set(fileName, { sf, version });
    return sf;
  };
  // Package folders do not change during a process: memoise the file-system probes
  // module resolution makes there (thousands of stat calls for a package like apache-arrow).
  const baseFileExists = host.fileExists.bind(host);
  host.fileExists = (f) =>
    path.normalize(f) === normal ||
    (usage === 'process' && f === processPath) ||
    memo(fileExistsCache, f, baseFileExists);
  const baseDirectoryExists = host.directoryExists?.bind(host);
  if (baseDirectoryExists) host.directoryExists = (d) => memo(directoryExistsCache, d, baseDirectoryExists);
  const baseReadFile = host.readFile.bind(host);
  host.readFile = (f) => (path.normalize(f) === normal ? text : memo(readFileCache, f, baseReadFile));
  const baseRealpath = host.realpath?.bind(host);
  if (baseRealpath) host.realpath = (f) => memo(realpathCache, f, baseRealpath);
  // TypeScript finds each declaration file's package.json scope through this cache; without
  // one it reads and parses the package.json files above every file again.
  const programCache = tsc.createModuleResolutionCache(process.cwd(), (f) => f, options);
  host.getModuleResolutionCache = () => programCache;
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) =>
    literals.map((lit) =>
      tsc.resolveModuleName(
        lit.text,
        containingFile,
        options,
        host,
        // The notebook's own imports may change between compiles; packages' may not.
        isPackagePath(containingFile) ? moduleResolutionCache : undefined,
        redirected,
        tsc.ModuleKind.ESNext,
      ),
    );
  return tsc.createProgram({ rootNames, options, host });
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
