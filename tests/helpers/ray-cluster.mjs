/**
 * A real two-node Ray cluster on loopback for the Ray engine's tests and benchmark:
 * a head with the custom resource `example.com/head` and a second node with
 * `example.com/second` (domain-qualified, as a `limit:RESOURCE:N` tag names them), each with one
 * CPU, in a fresh RAY_TMPDIR. `stop` ends exactly this cluster's processes (found by
 * their session folder, and everything they spawned) — never `ray stop`, which would end
 * every Ray on the machine.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

// Plain JS (with ray-cluster.d.mts) so the Ray benchmark, a .mjs script, starts the same cluster as the tests.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const run = promisify(execFile);

/** The project venv's Python (scripts/provision.sh installs `ray` into it). */
export const rayPython = path.join(repoRoot, '.venv', 'bin', 'python');
const rayBin = path.join(repoRoot, '.venv', 'bin', 'ray');

/** Why a Ray cluster cannot be started here, or undefined when it can. */
export function rayMissing() {
  if (!existsSync(rayBin)) return `needs ray in ${path.relative(repoRoot, rayBin)} (npm test provisions it)`;
  try {
    execFileSync(rayPython, ['-c', 'import ray'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `the venv's python cannot import ray (${rayPython})`;
  }
}

/**
 * Ray gives a starting node a fixed 30 s to register; on a loaded two-core machine that
 * is sometimes too short, so a cluster that failed to start is torn down and started again.
 */
export async function startRayCluster(attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRayClusterOnce();
    } catch (err) {
      if (attempt >= attempts) throw err;
      console.warn(
        `Ray cluster start failed (attempt ${attempt} of ${attempts}), retrying: ${String(err).split('\n').at(-2) ?? err}`,
      );
    }
  }
}

async function startRayClusterOnce() {
  // Unix socket paths under the tmp dir must stay short (107 bytes).
  const tmpDir = mkdtempSync('/tmp/swray-');
  const [port, dashboardPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    RAY_TMPDIR: tmpDir,
    RAY_USAGE_STATS_ENABLED: '0',
    // The raylet waits this long for its Python agents' port files (default 30 s); they
    // start slowly on a loaded two-core machine and the raylet then aborts.
    RAY_raylet_start_wait_time_s: '300',
    RAY_agent_register_timeout_ms: '300000',
  };
  const common = ['--node-ip-address', '127.0.0.1', '--num-cpus', '1', '--disable-usage-stats'];
  const address = `127.0.0.1:${port}`;
  /** @type {import('./ray-cluster.mjs').RayCluster} */
  const cluster = {
    address,
    tmpDir,
    killSecondNode() {
      const raylet = clusterProcesses(tmpDir).find(
        (p) => p.cmd.includes('raylet/raylet') && p.cmd.includes('example.com/second'),
      );
      if (!raylet) throw new Error('the second Ray node is not running');
      const steps = new Set(
        processes()
          .filter((p) => p.cmd.startsWith(process.execPath))
          .map((p) => p.pid),
      );
      killAll(withDescendants([raylet.pid]).filter((pid) => !steps.has(pid)));
    },
    pids: () => withDescendants(clusterProcesses(tmpDir).map((p) => p.pid)),
    async stop() {
      // Twice: a raylet may start a worker while the first pass runs.
      for (let pass = 0; pass < 2; pass++) killAll(withDescendants(clusterProcesses(tmpDir).map((p) => p.pid)));
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  try {
    await run(
      rayBin,
      [
        'start',
        '--head',
        '--port',
        String(port),
        '--include-dashboard',
        'false',
        '--dashboard-port',
        String(dashboardPort),
        '--resources',
        '{"example.com/head": 1}',
        ...common,
      ],
      { env },
    );
    await run(rayBin, ['start', '--address', address, '--resources', '{"example.com/second": 1}', ...common], { env });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {{ port: number }} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** @returns {{ pid: number, ppid: number, cmd: string }[]} */
function processes() {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(entry), ppid, cmd });
    } catch {
      // ended while listing
    }
  }
  return out;
}

function clusterProcesses(tmpDir) {
  return processes().filter((p) => p.cmd.includes(tmpDir));
}

function withDescendants(roots) {
  const all = processes();
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (found.has(p.ppid) && !found.has(p.pid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function killAll(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
