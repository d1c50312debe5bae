/**
 * Run events as the runner emits them, and how they reach the browser: the kernel's lab
 * API displays each event as a custom MIME bundle, so they arrive as IOPub
 * `display_data` messages on the request's own future and never touch the notebook's
 * outputs. The shapes are the kernel's own (`@stillwater/kernel/contracts`, types only).
 */
import type { KernelMessage } from '@jupyterlab/services';
import type { ResultMime, RunEvent, RunEventMime, StepErrorInfo } from '@stillwater/kernel/contracts';

export type {
  LogEvent,
  MetricValue,
  RunEvent,
  RunFinishedEvent,
  RunStartedEvent,
  StepEvent,
  StepStatus,
} from '@stillwater/kernel/contracts';

/** The MIME type each run event is displayed under (checked against the kernel's contract). */
export const RUN_EVENT_MIME: RunEventMime = 'application/vnd.stillwater.run-event+json';
/** The MIME type of a request's outcome (compile diagnostics, run history, export). */
export const RESULT_MIME: ResultMime = 'application/vnd.stillwater.result+json';

/** A step's or a run's error, as the run events carry it. */
export type RunError = StepErrorInfo & { step?: string };

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
