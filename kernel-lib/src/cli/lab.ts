/**
 * `stillwater lab install`: puts Stillwater into an existing JupyterLab (≥ 4.0) without
 * a rebuild — the prebuilt extension is copied into the active Jupyter data directory's
 * `labextensions/@stillwater/jupyterlab` (where JupyterLab discovers prebuilt
 * extensions), and the tslab kernel spec is written to its `kernels/tslab`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

const EXTENSION_NAME = '@stillwater/jupyterlab';

interface LabInstallFlags {
  dataDir?: string;
  jupyter: string;
  from?: string;
  json?: boolean;
}

export interface LabInstallResult {
  dataDir: string;
  extension: string;
  kernelSpec: string;
}

/** The built `labextension/` folder: next to the installed package, else in this repository. */
export function prebuiltExtensionDir(): string {
  const candidates: string[] = [];
  try {
    const pkg = createRequire(import.meta.url).resolve(`${EXTENSION_NAME}/package.json`);
    candidates.push(path.join(path.dirname(pkg), 'labextension'));
  } catch {}
  candidates.push(
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'extension', 'labextension'),
  );
  const found = candidates.find((c) => existsSync(path.join(c, 'package.json')));
  if (!found) {
    throw new Error(
      `no prebuilt ${EXTENSION_NAME} found (looked in ${candidates.join(', ')}); build it with \`npm run build\``,
    );
  }
  return found;
}

/** The data directory `jupyter --data-dir` reports (honours JUPYTER_DATA_DIR). */
export function jupyterDataDir(jupyter: string): string {
  try {
    return execFileSync(jupyter, ['--data-dir'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`could not ask \`${jupyter} --data-dir\` (${(err as Error).message}); pass --data-dir DIR`);
  }
}

/** The tslab launcher, resolved from this installation. */
function tslabBin(): string {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve('tslab/package.json')), 'bin', 'tslab');
  } catch {
    throw new Error('tslab is not installed where @stillwater/kernel can find it (npm install tslab)');
  }
}

export function installLab(options: { dataDir: string; from?: string }): LabInstallResult {
  const source = options.from ? path.resolve(options.from) : prebuiltExtensionDir();
  const target = path.join(options.dataDir, 'labextensions', ...EXTENSION_NAME.split('/'));
  mkdirSync(path.dirname(target), { recursive: true });
  // Replace whatever is there (an older copy, or a development symlink).
  if (existsSync(target) || isSymlink(target)) rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true, dereference: true });

  const kernelDir = path.join(options.dataDir, 'kernels', 'tslab');
  mkdirSync(kernelDir, { recursive: true });
  const spec = {
    argv: [process.execPath, tslabBin(), 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
  };
  writeFileSync(path.join(kernelDir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return { dataDir: options.dataDir, extension: target, kernelSpec: kernelDir };
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('JupyterLab integration');
  lab
    .command('install')
    .description('install the Stillwater JupyterLab extension and the tslab kernel spec into the active Jupyter')
    .option('--data-dir <dir>', 'Jupyter data directory (default: what `jupyter --data-dir` reports)')
    .option('--jupyter <cmd>', 'the jupyter executable to ask for its data directory', 'jupyter')
    .option('--from <dir>', 'prebuilt extension folder (default: the built extension/labextension)')
    .option('--json', 'print JSON')
    .action((o: LabInstallFlags) => {
      const dataDir = path.resolve(o.dataDir ?? jupyterDataDir(o.jupyter));
      const result = installLab({ dataDir, ...(o.from ? { from: o.from } : {}) });
      if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(
          `installed ${EXTENSION_NAME} → ${result.extension}\ninstalled the tslab kernel spec → ${result.kernelSpec}\nrestart JupyterLab to load it; \`jupyter labextension list\` shows it\n`,
        );
      }
    });
}
