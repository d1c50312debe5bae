/**
 * Real JupyterLab for browser tests: a `jupyter lab` from the test venv on a free port,
 * rooted in a fresh folder inside the repository (so the tslab kernel resolves
 * `@stillwater/kernel` from node_modules), isolated from the user's own Jupyter config,
 * serving this tree's `extension/labextension`, and Debian's chromium driven by
 * playwright-core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/paths.js';

export interface Lab {
  url: string;
  root: string;
  log: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts JupyterLab on a random free port; resolves when it answers. */
export async function startLab(): Promise<Lab> {
  const base = path.join(repoRoot, '.tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'e2e-'));
  const root = path.join(dir, 'root');
  for (const d of ['root', 'config', 'data', 'runtime', 'workspaces', 'settings']) mkdirSync(path.join(dir, d));
  // This tree's build of the extension, ahead of the one the shared venv links (the user
  // data dir comes first on JupyterLab's labextensions path, and the first copy wins).
  const ours = path.join(dir, 'data', 'labextensions', '@stillwater');
  mkdirSync(ours, { recursive: true });
  symlinkSync(path.join(repoRoot, 'extension', 'labextension'), path.join(ours, 'jupyterlab'));
  const port = await freePort();
  const jupyter = path.join(repoRoot, '.venv', 'bin', 'jupyter');
  let output = '';
  const child: ChildProcess = spawn(
    jupyter,
    [
      'lab',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.token=',
      '--ServerApp.password=',
      '--ServerApp.allow_root=True',
      '--ServerApp.disable_check_xsrf=False',
      `--ServerApp.root_dir=${root}`,
      `--LabApp.workspaces_dir=${path.join(dir, 'workspaces')}`,
      `--LabApp.user_settings_dir=${path.join(dir, 'settings')}`,
      '--MappingKernelManager.default_kernel_name=tslab',
      '--LabApp.expose_app_in_browser=True',
    ],
    {
      cwd: root,
      detached: true, // own process group: teardown kills the kernels too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
        JUPYTER_DATA_DIR: path.join(dir, 'data'),
        JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
        JUPYTER_PLATFORM_DIRS: '1',
      },
    },
  );
  child.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      const exited = new Promise((r) => child.once('exit', r));
      const timeout = new Promise((r) => setTimeout(r, 5000));
      await Promise.race([exited, timeout]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter lab exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/status`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter lab did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, root, log: () => output, stop };
}

/** Debian's chromium with the flags this closed network needs and a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Collects console errors and page errors (the test asserts there are none). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** A lab, a browser and one page whose console errors are collected: what each e2e file starts with. */
export interface Session {
  lab: Lab;
  browser: Browser;
  page: Page;
  errors: string[];
  close: () => Promise<void>;
}

/** Starts a session; `prepare` puts the notebooks into the lab's root before the browser opens. */
export async function openSession(
  viewport: { width: number; height: number },
  prepare: (root: string) => void,
): Promise<Session> {
  const lab = await startLab();
  prepare(lab.root);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  const errors = collectErrors(page);
  return {
    lab,
    browser,
    page,
    errors,
    close: async () => {
      await browser.close();
      await lab.stop();
    },
  };
}
