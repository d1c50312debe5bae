/**
 * `stillwater lab install` into a fresh Jupyter data directory, checked by the real
 * JupyterLab 4.6 of the test venv: the prebuilt extension is listed "enabled OK" from
 * that directory, and the tslab kernel spec is found there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installLab, prebuiltExtensionDir } from '../../../kernel-lib/src/cli/lab.js';
import { repoRoot } from '../../helpers/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sw-lab-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const jupyter = path.join(repoRoot, '.venv', 'bin', 'jupyter');
// Strip ANSI colours from jupyter's output.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('stillwater lab install', () => {
  it('installs the prebuilt extension and the tslab kernel spec where JupyterLab finds them', () => {
    const dataDir = path.join(dir, 'data');
    const result = installLab({ dataDir });
    expect(result.extension).toBe(path.join(dataDir, 'labextensions', '@stillwater', 'jupyterlab'));
    const pkg = JSON.parse(readFileSync(path.join(result.extension, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@stillwater/jupyterlab');
    expect(pkg.jupyterlab._build.load).toMatch(/^static\/remoteEntry\.[0-9a-f]+\.js$/);
    expect(existsSync(path.join(result.extension, pkg.jupyterlab._build.load))).toBe(true);
    expect(prebuiltExtensionDir()).toBe(path.join(repoRoot, 'extension', 'labextension'));

    // The venv also has a development copy: look at the user data directory first, the
    // way a stock (non-venv) JupyterLab does.
    const env = {
      ...process.env,
      JUPYTER_DATA_DIR: dataDir,
      JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
      JUPYTER_PREFER_ENV_PATH: '0',
    };
    // `labextension list` writes its listing to stderr.
    const listed = spawnSync(jupyter, ['labextension', 'list'], { env, encoding: 'utf8' });
    expect(listed.status).toBe(0);
    const text = plain(listed.stdout + listed.stderr);
    // The section of our data directory lists the extension as enabled and OK.
    const section = text.split(path.join(dataDir, 'labextensions'))[1] ?? '';
    expect(section.split('\n').slice(0, 3).join('\n')).toMatch(/@stillwater\/jupyterlab v0\.1\.0 enabled\s+OK/);

    const specs = JSON.parse(execFileSync(jupyter, ['kernelspec', 'list', '--json'], { env, encoding: 'utf8' }));
    expect(specs.kernelspecs.tslab.resource_dir).toBe(path.join(dataDir, 'kernels', 'tslab'));
    expect(specs.kernelspecs.tslab.spec.argv.slice(2)).toEqual(['kernel', '--config-path', '{connection_file}']);
    expect(existsSync(specs.kernelspecs.tslab.spec.argv[1])).toBe(true);

    // Installing again replaces the copy in place.
    expect(() => installLab({ dataDir })).not.toThrow();
  }, 60_000);
});
