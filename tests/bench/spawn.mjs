// Running a command to its end for the benchmarks: wall time from spawn to exit, and its output.
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Spawns `cmd args` and resolves when it has exited: `ms` (wall time, spawn to exit), its
 * stdout and stderr, and the epoch times it was spawned and ended at (to line up with
 * events it printed). A non-zero exit rejects with the tail of its stderr.
 */
export function timedSpawn(cmd, args, { env = process.env, cwd = process.cwd() } = {}) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const t0 = performance.now();
    const spawnedAt = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const what = path.basename(args[0] ?? cmd);
      if (code !== 0) reject(new Error(`${what} ${args[1] ?? ''} exited ${code}:\n${stderr.slice(-3000)}`));
      else resolve({ ms, stdout, stderr, spawnedAt, endedAt: Date.now() });
    });
  });
}
