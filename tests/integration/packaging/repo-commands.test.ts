/**
 * The README's commands, run as written from the repository root (issue 11, item 3):
 * `npx stillwater …` finds the workspace's bin — a committed file, so `npm ci` links it on
 * a fresh clone before `npm run build` has made dist/ — every command of the README's CLI
 * table exists with the options the README names, and `npx stillwater lab install`
 * installs into the Jupyter data directory that `jupyter --data-dir` reports.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

const run = promisify(execFile);
const kernelPackage = JSON.parse(readFileSync(path.join(repoRoot, 'kernel-lib', 'package.json'), 'utf8'));
const binFile = path.join(repoRoot, 'kernel-lib', kernelPackage.bin.stillwater);
const linkedBin = path.join(repoRoot, 'node_modules', '.bin', 'stillwater');
const tmp = mkdtempSync(path.join(tmpdir(), 'sw-repo-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const npx = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  run('npx', ['--no-install', 'stillwater', ...args], { cwd: repoRoot, env, encoding: 'utf8' });

interface ReadmeCommand {
  /** `stillwater runs list|show RUN|compare A B` → ['runs', 'list'], ['runs', 'show'], ['runs', 'compare']. */
  commands: string[][];
  /** Every `--flag` / `-x` the row names. */
  flags: string[];
  row: string;
}

/** The rows of the README's CLI table. */
function readmeCommands(): ReadmeCommand[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  return readme
    .split('\n')
    .filter((l) => l.startsWith('| `stillwater '))
    .map((row) => {
      const usage = /^\| `stillwater ([^`]+)`/.exec(row)![1]!.replace(/\\\|/g, '|');
      const [group, ...rest] = usage.split(' ');
      // Subcommands stand before the first option (`--to kfp|argo` is an option's values).
      const positional = rest.join(' ').split(/\[| -/)[0]!;
      const subs = positional
        .split('|')
        .map((alt) => alt.trim().split(' ')[0]!)
        .filter((w) => /^[a-z]+$/.test(w));
      const flags = [...row.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((m) => m[1]!);
      return { commands: subs.length ? subs.map((s) => [group!, s]) : [[group!]], flags, row };
    });
}

describe('the README’s commands in this repository', () => {
  it('links `stillwater` to a committed, executable file that loads the built CLI', () => {
    // Committed (so it exists when `npm ci` links bins on a fresh clone) and executable.
    const staged = execFileSync('git', ['ls-files', '-s', '--', path.relative(repoRoot, binFile)], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(staged).toMatch(/^100755 /);
    expect(realpathSync(linkedBin)).toBe(realpathSync(binFile));
  });

  it('`npx stillwater --help` runs the CLI and lists every command of the README’s table', async () => {
    const { stdout } = await npx(['--help']);
    expect(stdout).toMatch(/^Usage: stillwater \[options\] \[command\]/);
    const groups = new Set(readmeCommands().map((c) => c.commands[0]![0]!));
    expect(groups.size).toBeGreaterThanOrEqual(6);
    for (const g of groups) expect(stdout).toMatch(new RegExp(`^  ${g}\\b`, 'm'));
  }, 120_000);

  it('every README command exists with the options its row names', async () => {
    const rows = readmeCommands();
    await Promise.all(
      rows.map(async ({ commands, flags, row }) => {
        const helps = await Promise.all(
          commands.map(async (cmd) => {
            const { stdout } = await run(linkedBin, [...cmd, '--help'], { cwd: repoRoot, encoding: 'utf8' });
            expect(stdout, row).toContain(`Usage: stillwater ${cmd.join(' ')} `);
            return stdout;
          }),
        );
        const documented = helps.join('\n');
        for (const flag of flags) expect(documented, `${row}: ${flag}`).toMatch(new RegExp(`(^|[ ,])${flag}\\b`, 'm'));
      }),
    );
  }, 180_000); // 13 CLI processes: ~8 s of CPU, but minutes on a 2-core box shared with other suites

  it('`npx stillwater lab install` installs into the data directory `jupyter --data-dir` reports', async () => {
    const dataDir = path.join(tmp, 'jupyter-data');
    // The venv's jupyter first on PATH, as in an activated environment; JUPYTER_DATA_DIR keeps it off ~/.local.
    const env = {
      ...process.env,
      PATH: `${path.join(repoRoot, '.venv', 'bin')}${path.delimiter}${process.env.PATH}`,
      JUPYTER_DATA_DIR: dataDir,
    };
    const { stdout } = await npx(['lab', 'install'], env);
    expect(stdout).toContain(`installed @stillwater/jupyterlab → ${path.join(dataDir, 'labextensions')}`);
    const installed = path.join(dataDir, 'labextensions', '@stillwater', 'jupyterlab', 'package.json');
    expect(JSON.parse(readFileSync(installed, 'utf8')).name).toBe('@stillwater/jupyterlab');
    const spec = JSON.parse(readFileSync(path.join(dataDir, 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    expect(existsSync(spec.argv[1])).toBe(true);
  }, 120_000);

  it('without a build, the bin says what to do instead of a module-not-found trace', async () => {
    const bare = path.join(tmp, 'unbuilt', 'bin');
    mkdirSync(bare, { recursive: true });
    copyFileSync(binFile, path.join(bare, 'stillwater.js'));
    writeFileSync(path.join(bare, '..', 'package.json'), '{ "type": "module" }\n');
    const failed = await run(process.execPath, [path.join(bare, 'stillwater.js'), '--help']).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      'stillwater: @stillwater/kernel is not built (dist/cli/main.js is missing); run `npm run build` first\n',
    );
  }, 60_000);
});
