/**
 * Run events as the runner emits them (`schema/run-event.schema.json`), and how they
 * reach the browser: the kernel snippet displays each event as a custom MIME bundle, so
 * they arrive as IOPub `display_data` messages on the snippet's own future and never
 * touch the notebook's outputs.
 */
import type { KernelMessage } from '@jupyterlab/services';

/** The MIME type the kernel snippet displays each run event under. */
export const RUN_EVENT_MIME = 'application/vnd.stillwater.run-event+json';
/** The MIME type for a snippet's non-event result (compile diagnostics, run history). */
export const RESULT_MIME = 'application/vnd.stillwater.result+json';

export type StepStatus = 'queued' | 'running' | 'retrying' | 'cached' | 'done' | 'failed' | 'cancelled' | 'skipped';
export type MetricValue = number | string | boolean | null;

export interface RunError {
  type: string;
  message: string;
  cell?: number;
  line?: number;
  step?: string;
  exitCode?: number | null;
  signal?: string | null;
}

export interface RunStartedEvent {
  type: 'run-started';
  runId: string;
  time: string;
  pipeline: string;
  pipelineHash: string;
  pipelineDir: string;
  params: Record<string, unknown>;
  steps: string[];
  concurrency: number;
  resumeOf?: string;
}

export interface StepEvent {
  type: 'step';
  runId: string;
  time: string;
  step: string;
  status: StepStatus;
  attempt?: number;
  durationMs?: number;
  metrics?: Record<string, MetricValue>;
  error?: RunError;
  reason?: string;
}

export interface LogEvent {
  type: 'log';
  runId: string;
  time: string;
  step: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface RunFinishedEvent {
  type: 'run-finished';
  runId: string;
  time: string;
  status: 'done' | 'failed' | 'cancelled';
  durationMs: number;
  steps: Record<string, StepStatus>;
  metrics: Record<string, MetricValue>;
  error?: RunError;
}

export type RunEvent = RunStartedEvent | StepEvent | LogEvent | RunFinishedEvent;

const EVENT_TYPES = new Set(['run-started', 'step', 'log', 'run-finished']);

/** Narrows an unknown JSON value to a run event (checks the discriminating fields only). */
export function asRunEvent(value: unknown): RunEvent | null {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as { type?: unknown; runId?: unknown };
  if (typeof o.type !== 'string' || !EVENT_TYPES.has(o.type) || typeof o.runId !== 'string') return null;
  return v as RunEvent;
}

/** What one IOPub message carries for us: a run event, a snippet result, or text. */
export type SnippetOutput =
  | { kind: 'event'; event: RunEvent }
  | { kind: 'result'; value: unknown }
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { kind: 'error'; ename: string; evalue: string; traceback: string[] };

/** Classifies one IOPub message of the snippet's future; null for messages we ignore. */
export function readIOPub(msg: KernelMessage.IIOPubMessage): SnippetOutput | null {
  const type = msg.header.msg_type;
  if (type === 'display_data' || type === 'update_display_data' || type === 'execute_result') {
    const data = (msg.content as { data?: Record<string, unknown> }).data ?? {};
    if (RUN_EVENT_MIME in data) {
      const event = asRunEvent(data[RUN_EVENT_MIME]);
      return event ? { kind: 'event', event } : null;
    }
    if (RESULT_MIME in data) {
      const raw = data[RESULT_MIME];
      return { kind: 'result', value: typeof raw === 'string' ? JSON.parse(raw) : raw };
    }
    return null;
  }
  if (type === 'stream') {
    const c = msg.content as KernelMessage.IStreamMsg['content'];
    return { kind: 'stream', name: c.name, text: c.text };
  }
  if (type === 'error') {
    const c = msg.content as KernelMessage.IErrorMsg['content'];
    return { kind: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback };
  }
  return null;
}
