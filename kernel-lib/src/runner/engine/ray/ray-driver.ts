/**
 * The TypeScript side of the Ray driver (kernel-lib/python/stillwater_ray_driver.py):
 * one Python process per run, connected to the cluster once, spoken to in JSON lines.
 * Keeping a single driver per run keeps Ray's workers warm between steps; the
 * connect time is reported apart from step time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { RayConnectError, RayDriverExitedError } from './errors.js';

/** Shipped beside dist/ in the package (package.json `files`). */
export const RAY_DRIVER_SCRIPT = fileURLToPath(new URL('../../../../python/stillwater_ray_driver.py', import.meta.url));

export interface RayNode {
  id: string;
  address: string;
  /** The node's custom resources (e.g. `second`), which is how steps are placed on it. */
  resources: string[];
  alive: boolean;
}

export interface RayLaunch {
  id: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Custom resources the node must offer (from the step's `limit:` tags). */
  resources: Record<string, number>;
  numCpus: number;
  /** Ray's `GPU` resource (from `limit:nvidia.com/gpu:N`). */
  numGpus?: number;
  /**
   * Bytes of Ray's logical `memory` resource — and the step's memory limit: its process
   * group is killed on the node once its resident memory exceeds this.
   */
  memory?: number;
}

export type RayStepEvent =
  | { type: 'started'; node: RayNode; pid: number }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'signal'; line: string }
  /** The step's resident memory went over its limit: its process group was killed. */
  | { type: 'memory'; residentBytes: number }
  | { type: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'lost'; node: RayNode; message: string }
  | { type: 'rejected'; message: string };

export interface RayDriverOptions {
  /** HOST:PORT of the cluster's GCS. */
  address: string;
  /** Python with `ray` installed. */
  python: string;
  env?: NodeJS.ProcessEnv;
  /** Give up connecting after this long (Ray itself keeps retrying an unreachable GCS for minutes). */
  connectTimeoutMs?: number;
}

type Listener = (event: RayStepEvent) => void;

export class RayDriver {
  private readonly listeners = new Map<string, Listener>();
  private readonly decoders = new Map<string, StringDecoder>();
  private exited: Promise<void>;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    /** `ray.init` until connected. */
    readonly connectMs: number,
    /** Starting this run's worker on every node (Ray workers belong to one driver), before the first step. */
    readonly warmMs: number,
    readonly nodes: RayNode[],
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('close', (code, signal) => {
      // Steps still waiting hear that their driver is gone instead of hanging.
      const why = new RayDriverExitedError(code, signal, this.stderrTail).message;
      for (const [id, listener] of this.listeners) {
        this.listeners.delete(id);
        listener({ type: 'lost', node: UNKNOWN_NODE, message: why });
      }
    });
  }

  /** Starts the driver and waits until it is connected to the cluster. */
  static async connect(options: RayDriverOptions): Promise<RayDriver> {
    await probeGcs(options.address);
    const child = spawn(options.python, ['-u', RAY_DRIVER_SCRIPT, '--address', options.address], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => {
      stderr = (stderr + t).slice(-8192);
    });
    const lines = createInterface({ input: child.stdout! });
    const timeoutMs = options.connectTimeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      let driver: RayDriver | undefined;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new RayConnectError(options.address, `the cluster did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      child.once('close', () => clearTimeout(timer));
      child.once('error', (err) => reject(new RayConnectError(options.address, err.message)));
      child.once('close', (code) => {
        if (!driver)
          reject(new RayConnectError(options.address, lastLine(stderr) || `driver exited with code ${code}`));
      });
      lines.on('line', (line) => {
        const message = JSON.parse(line) as DriverMessage;
        if (!driver) {
          if (message.type === 'fatal') return reject(new RayConnectError(options.address, message.message));
          if (message.type !== 'ready') return;
          clearTimeout(timer);
          driver = new RayDriver(child, message.connectMs, message.warmMs, message.nodes);
          child.stderr!.on('data', (t: string) => {
            driver!.stderrTail = (driver!.stderrTail + t).slice(-8192);
          });
          return resolve(driver);
        }
        driver.dispatch(message);
      });
    });
  }

  /** Submits a step; `onEvent` hears it start, print, and end (`exit`, `lost` or `rejected`). */
  launch(launch: RayLaunch, onEvent: Listener): void {
    this.listeners.set(launch.id, onEvent);
    this.send({ type: 'launch', ...launch });
  }

  /** Cancels a step: Ray interrupts its task, which stops the step's process group. */
  cancel(id: string, force = false): void {
    if (this.listeners.has(id)) this.send({ type: 'cancel', id, force });
  }

  /** Ends the driver: running steps are cancelled, and the driver disconnects. */
  async close(graceMs = 10_000): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private send(message: object): void {
    if (this.child.stdin!.writable) this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Chunks may split a UTF-8 character; one decoder per step and stream joins them. */
  private decode(id: string, stream: 'stdout' | 'stderr', base64: string): string {
    const key = `${id}\0${stream}`;
    let decoder = this.decoders.get(key);
    if (!decoder) {
      decoder = new StringDecoder('utf8');
      this.decoders.set(key, decoder);
    }
    return decoder.write(Buffer.from(base64, 'base64'));
  }

  private dispatch(message: DriverMessage): void {
    if (!('id' in message)) return;
    const listener = this.listeners.get(message.id);
    if (!listener) return;
    switch (message.type) {
      case 'started':
        listener({ type: 'started', node: message.node, pid: message.pid });
        return;
      case 'signal':
        listener({ type: 'signal', line: message.line });
        return;
      case 'memory':
        listener({ type: 'memory', residentBytes: message.residentBytes });
        return;
      case 'output':
        listener({
          type: 'output',
          stream: message.stream,
          text: this.decode(message.id, message.stream, message.data),
        });
        return;
      default:
        this.listeners.delete(message.id);
        this.decoders.delete(`${message.id}\0stdout`);
        this.decoders.delete(`${message.id}\0stderr`);
        if (message.type === 'exit') listener({ type: 'exit', code: message.code, signal: message.signal });
        else if (message.type === 'lost') listener({ type: 'lost', node: message.node, message: message.message });
        else listener({ type: 'rejected', message: message.message });
    }
  }
}

/**
 * Fails fast when nothing listens at the address: `ray.init` would otherwise wait minutes
 * for a GCS that is not there.
 */
function probeGcs(address: string, timeoutMs = 10_000): Promise<void> {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535)
    return Promise.reject(
      new RayConnectError(address, 'expected HOST:PORT of the head node (`ray start --head --port PORT`)'),
    );
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new RayConnectError(address, `${why} (is the cluster started? \`ray start --head --port ${port}\`)`));
    };
    socket.once('timeout', () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'ECONNREFUSED' ? 'nothing listens there' : err.message),
    );
  });
}

const UNKNOWN_NODE: RayNode = { id: 'unknown', address: '', resources: [], alive: false };

type DriverMessage =
  | { type: 'ready'; connectMs: number; warmMs: number; nodes: RayNode[] }
  | { type: 'fatal'; message: string }
  | { type: 'started'; id: string; node: RayNode; pid: number }
  | { type: 'output'; id: string; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'signal'; id: string; line: string }
  | { type: 'memory'; id: string; residentBytes: number }
  | { type: 'exit'; id: string; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'lost'; id: string; node: RayNode; message: string }
  | { type: 'rejected'; id: string; message: string };

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
