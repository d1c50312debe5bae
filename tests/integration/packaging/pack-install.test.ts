/**
 * Issue 11, item 2: the packages work outside this repository, installed the way a user
 * installs them. Both workspaces are packed (`npm pack`), the tarballs are installed with
 * `npm install` into a fresh project under the system temp folder (nothing of this
 * repository on its module path), and the extension's Python package is built (sdist +
 * wheel, hatchling) and pip-installed into a fresh venv. There, through the installed CLI:
 * `npx stillwater compile` and `run` the turbofan notebook, `npx stillwater lab install`
 * the kernel spec, and a tslab notebook imports the library.
 *
 * The npm registry is reached through npm's cache (`--prefer-offline`); the fresh venv
 * sees the test venv's JupyterLab through a .pth file (an environment that already has
 * JupyterLab, as the extension's users do) and installs only the built wheel, offline.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code } from '../../helpers/notebooks.js';
import { repoRoot, venvPython } from '../../helpers/paths.js';
import { cellStdout, runNotebookInTslab } from '../../helpers/tslab.js';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), 'sw-pack-install-'));
const packs = path.join(tmp, 'packs');
const project = path.join(tmp, 'project');
const venv = path.join(tmp, 'venv');
const jupyterData = path.join(tmp, 'jupyter-data');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sh = (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  run(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
/** `npx stillwater …` in the project. */
const stillwater = (args: string[]) => sh('npx', ['--no-install', 'stillwater', ...args], project);
const tarball = (prefix: string, ext: string) =>
  path.join(packs, readdirSync(packs).find((f) => f.startsWith(prefix) && f.endsWith(ext))!);
const installedKernel = () => path.join(project, 'node_modules', '@stillwater', 'kernel');

/** npm pack of both workspaces, then `npm install` of the tarballs (and tslab) into a fresh project. */
async function installNpmPackages(): Promise<void> {
  mkdirSync(packs, { recursive: true });
  await sh('npm', ['pack', '-w', 'kernel-lib', '-w', 'extension', '--pack-destination', packs], repoRoot);
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), '{ "name": "user-project", "private": true }\n');
  const tarballs = [tarball('stillwater-kernel-', '.tgz'), tarball('stillwater-jupyterlab-', '.tgz')];
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, 'tslab'], project);
}

/** The extension's Python package built (sdist + wheel), and the wheel pip-installed into a fresh venv. */
async function installPythonPackage(): Promise<void> {
  await sh(venvPython, ['-m', 'hatchling', 'build', '-d', packs], path.join(repoRoot, 'extension'));
  await sh(venvPython, ['-m', 'venv', '--without-pip', venv], tmp);
  const purelib = async (python: string) =>
    (await sh(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], tmp)).stdout.trim();
  writeFileSync(path.join(await purelib(venvBin('python')), 'test-venv.pth'), `${await purelib(venvPython)}\n`);
  const wheel = tarball('stillwater_jupyterlab-', '.whl');
  await sh(venvPython, ['-m', 'pip', '--python', venvBin('python'), 'install', '--no-index', '--no-deps', wheel], tmp);
}
const venvBin = (name: string) => path.join(venv, 'bin', name);

beforeAll(async () => {
  await Promise.all([installNpmPackages(), installPythonPackage()]);
}, 600_000);

describe('the packed packages, installed into a project outside this repository', () => {
  it('ship their bin, the schemas (equal to schema/) and the prebuilt extension, and name no path of this repository', async () => {
    const kernel = installedKernel();
    expect(JSON.parse(readFileSync(path.join(kernel, 'package.json'), 'utf8')).bin).toEqual({
      stillwater: './bin/stillwater.js',
    });
    for (const f of readdirSync(path.join(repoRoot, 'schema')))
      expect(readFileSync(path.join(kernel, 'dist', 'schema', f), 'utf8'), f).toBe(
        readFileSync(path.join(repoRoot, 'schema', f), 'utf8'),
      );
    const labext = path.join(project, 'node_modules', '@stillwater', 'jupyterlab', 'labextension', 'package.json');
    expect(JSON.parse(readFileSync(labext, 'utf8')).name).toBe('@stillwater/jupyterlab');
    // No file of the installed packages refers into this repository (grep exits 1: no match).
    const grep = await sh('grep', ['-rlF', repoRoot, 'node_modules/@stillwater'], project).catch((e) => e);
    expect(grep.code, grep.stdout).toBe(1);
    // The sdist carries the prebuilt extension too.
    const sdist = await sh('tar', ['tzf', tarball('stillwater_jupyterlab-', '.tar.gz')], tmp);
    expect(sdist.stdout).toContain('stillwater_jupyterlab-0.1.0/labextension/package.json');
  });

  it('`npx stillwater compile` and `run` the turbofan notebook there', async () => {
    copyFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), path.join(project, 'turbofan.ipynb'));
    const compiled = JSON.parse((await stillwater(['compile', 'turbofan.ipynb', '--json'])).stdout);
    expect(compiled.ok).toBe(true);
    expect(compiled.spec.steps.map((s: { name: string }) => s.name).sort()).toEqual([
      'evaluate',
      'ingest',
      'prepare',
      'train',
      'validate',
    ]);
    const pipelineDir = compiled.outDir;
    const grep = await sh('grep', ['-rlF', repoRoot, pipelineDir], project).catch((e) => e);
    expect(grep.code, `bundles that name this repository: ${grep.stdout}`).toBe(1);

    const { stdout } = await stillwater(['run', 'turbofan.ipynb', '--json']);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const finished = events.find((e) => e.type === 'run-finished');
    expect(finished.status).toBe('done');
    expect(finished.metrics.auc).toBeGreaterThan(0.95);
    const tables = await stillwater(['table', 'describe', 'lakehouse/silver/train', '--json']);
    expect(JSON.parse(tables.stdout).numRows).toBeGreaterThan(0);
  }, 300_000);

  it('the wheel puts the prebuilt extension where the fresh venv’s JupyterLab finds it', async () => {
    const listed = await sh(venvBin('python'), ['-m', 'jupyterlab.labextensions', 'list'], tmp);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape
    const text = (listed.stdout + listed.stderr).replace(/\u001b\[[0-9;]*m/g, '');
    const section = text.split(path.join(venv, 'share', 'jupyter', 'labextensions'))[1] ?? '';
    expect(section.split('\n').slice(0, 3).join('\n')).toMatch(/@stillwater\/jupyterlab v0\.1\.0 enabled\s+OK/);
  }, 120_000);

  it('`npx stillwater lab install` writes a tslab kernel spec in which a notebook imports the library', async () => {
    await stillwater(['lab', 'install', '--data-dir', jupyterData]);
    const spec = JSON.parse(readFileSync(path.join(jupyterData, 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    expect(spec.argv[1]).toBe(path.join(project, 'node_modules', 'tslab', 'bin', 'tslab'));

    const nb = path.join(project, 'lake.ipynb');
    const cells = [
      code(
        [],
        "import { Lakehouse } from '@stillwater/kernel/lakehouse';\nimport { tableFromArrays } from 'apache-arrow';",
      ),
      code(
        [],
        [
          "const lake = new Lakehouse('lake');",
          "await lake.table('bronze/t').overwrite(tableFromArrays({ x: Int32Array.from([1, 2, 3]) }));",
          "const back = await lake.table('bronze/t').read();",
          "console.log('rows=' + back.numRows + ' from=' + require.resolve('@stillwater/kernel'));",
        ].join('\n'),
      ),
    ];
    writeFileSync(nb, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    const executed = await runNotebookInTslab(nb, { python: venvBin('python'), jupyterPath: jupyterData });
    expect(cellStdout(executed[1]!)).toBe(`rows=3 from=${path.join(installedKernel(), 'dist', 'index.js')}\n`);
  }, 180_000);
});
