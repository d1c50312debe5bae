/**
 * The live state of one pipeline run, folded from the runner's event stream. Kept apart
 * from the widgets so the same reducer drives the DAG colours, the durations and the
 * metrics, and can be tested on a recorded stream.
 */
import type { LogEvent, MetricValue, RunError, RunEvent, StepStatus } from '../run/events.js';

export type RunStatus = 'compiling' | 'running' | 'done' | 'failed' | 'cancelled';

export interface NodeRunState {
  status: StepStatus;
  attempt?: number;
  /** Wall-clock start (ms since epoch) of the current attempt, from the event time. */
  startedAt?: number;
  durationMs?: number;
  error?: RunError;
  reason?: string;
}

const ENDED_STEP = new Set<StepStatus>(['done', 'cached', 'failed', 'cancelled', 'skipped']);

/** Keep the tail of the logs only: a chatty step must not grow the browser's memory. */
const MAX_LOG_LINES = 500;

export class RunState {
  status: RunStatus = 'compiling';
  runId: string | null = null;
  /** What was asked: a full run, `--from`, `--only`. */
  readonly label: string;
  readonly startedAt: number;
  durationMs: number | null = null;
  params: Record<string, unknown> = {};
  readonly nodes = new Map<string, NodeRunState>();
  metrics: Record<string, MetricValue> = {};
  error: RunError | null = null;
  readonly logs: LogEvent[] = [];

  constructor(label: string, now = Date.now()) {
    this.label = label;
    this.startedAt = now;
  }

  get finished(): boolean {
    return this.status === 'done' || this.status === 'failed' || this.status === 'cancelled';
  }

  /** Steps of this run that have stopped running (whatever the outcome), of all its steps. */
  get progress(): { ended: number; total: number } {
    const nodes = [...this.nodes.values()];
    return { ended: nodes.filter((n) => ENDED_STEP.has(n.status)).length, total: nodes.length };
  }

  /** Folds one event in. Events of another run id (a stale stream) are ignored. */
  apply(event: RunEvent): void {
    if (this.runId !== null && event.runId !== this.runId) return;
    switch (event.type) {
      case 'run-started':
        this.runId = event.runId;
        this.status = 'running';
        this.params = event.params;
        for (const step of event.steps) {
          if (!this.nodes.has(step)) this.nodes.set(step, { status: 'queued' });
        }
        break;
      case 'step': {
        this.runId ??= event.runId;
        const prev = this.nodes.get(event.step);
        const node: NodeRunState = { ...prev, status: event.status };
        if (event.attempt !== undefined) node.attempt = event.attempt;
        if (event.status === 'running') {
          node.startedAt = Date.parse(event.time);
          delete node.durationMs;
          delete node.error;
        }
        if (event.durationMs !== undefined) node.durationMs = event.durationMs;
        if (event.error) node.error = event.error;
        if (event.reason) node.reason = event.reason;
        if (event.metrics) Object.assign(this.metrics, event.metrics);
        this.nodes.set(event.step, node);
        break;
      }
      case 'log':
        this.logs.push(event);
        if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
        break;
      case 'run-finished':
        this.runId ??= event.runId;
        this.status = event.status;
        this.durationMs = event.durationMs;
        this.metrics = { ...this.metrics, ...event.metrics };
        for (const [step, status] of Object.entries(event.steps)) {
          const node = this.nodes.get(step);
          this.nodes.set(step, { ...node, status });
        }
        if (event.error) this.error = event.error;
        break;
    }
  }

  /** Ends the run from the client side (kernel error, lost kernel) when no run-finished came. */
  abort(status: 'failed' | 'cancelled', error: RunError | null, now = Date.now()): void {
    if (this.finished) return;
    this.status = status;
    this.error = error;
    this.durationMs = now - this.startedAt;
    for (const [name, node] of this.nodes) {
      if (node.status === 'queued' || node.status === 'running' || node.status === 'retrying') {
        // Queued steps never ran; a step under way ends as the run does.
        const ended = node.status === 'queued' ? 'skipped' : status;
        this.nodes.set(name, { ...node, status: status === 'cancelled' ? ended : 'failed' });
      }
    }
  }
}
