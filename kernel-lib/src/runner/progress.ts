/**
 * Renders run events for people and machines. Three renderers, one interface:
 * JSON lines (`--json`, the extension's stream), plain lines (logs, CI, pipes)
 * and a live status block redrawn in place when the output is a terminal.
 */
import type { RunEvent, StepErrorInfo, StepStatus } from './events.js';

export interface ProgressRenderer {
  onEvent(event: RunEvent): void;
  /** Stops timers and leaves the output in its final state. */
  close(): void;
}

export interface Writable {
  write(text: string): unknown;
}

/** One JSON object per line, exactly the events of `schema/run-event.schema.json`. */
export class JsonProgress implements ProgressRenderer {
  /** Lines are cut to the terminal width: a wrapped line would throw off the cursor-up count. */
  constructor(private readonly out: Writable & { columns?: number }) {}
  onEvent(event: RunEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }
  close(): void {}
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;

/** "TypeError: x is not a function (cell 7, line 3)". */
export function describeError(e: StepErrorInfo): string {
  const where = e.cell !== undefined ? ` (cell ${e.cell}${e.line !== undefined ? `, line ${e.line}` : ''})` : '';
  return `${e.type}: ${e.message}${where}`;
}

/** Plain lines: one per status change and per line of step output. */
export class PlainProgress implements ProgressRenderer {
  private readonly partial = new Map<string, string>();
  constructor(
    private readonly out: Writable,
    private readonly options: { logs?: boolean } = {},
  ) {}

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run-started':
        this.out.write(
          `run ${e.runId}: pipeline ${e.pipeline}, ${e.steps.length} steps, concurrency ${e.concurrency}\n`,
        );
        return;
      case 'step': {
        if (e.status === 'queued') return;
        let line = `${e.step} ${e.status}`;
        if (e.attempt !== undefined && e.attempt > 1 && e.status === 'running') line += ` (attempt ${e.attempt})`;
        if (e.durationMs !== undefined) line += ` in ${seconds(e.durationMs)}`;
        if (e.reason) line += ` (${e.reason})`;
        if (e.error) line += `: ${describeError(e.error)}`;
        this.out.write(`${line}\n`);
        return;
      }
      case 'log': {
        if (this.options.logs === false) return;
        const key = `${e.step}\0${e.stream}`;
        const text = (this.partial.get(key) ?? '') + e.text;
        const lines = text.split('\n');
        this.partial.set(key, lines.pop() ?? '');
        for (const l of lines) this.out.write(`  ${e.step} │ ${l}\n`);
        return;
      }
      case 'run-finished': {
        const metrics = Object.entries(e.metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        this.out.write(
          `run ${e.runId} ${e.status} in ${seconds(e.durationMs)}${metrics ? `; metrics: ${metrics}` : ''}\n`,
        );
        if (e.error && e.status === 'failed') this.out.write(`  step ${e.error.step}: ${describeError(e.error)}\n`);
      }
    }
  }
  close(): void {}
}

const SYMBOL: Record<StepStatus, string> = {
  queued: '·',
  running: '▶',
  retrying: '↻',
  cached: '≡',
  done: '✔',
  failed: '✖',
  cancelled: '⊘',
  skipped: '–',
};

/** A live block, one line per step, redrawn in place; step output scrolls above it. */
export class TtyProgress implements ProgressRenderer {
  private readonly steps = new Map<string, { status: StepStatus; since: number; durationMs?: number; note?: string }>();
  private drawn = 0;
  private finished = false;
  private header = '';
  private readonly timer: NodeJS.Timeout;
  private readonly plain: PlainProgress;

  /** Lines are cut to the terminal width: a wrapped line would throw off the cursor-up count. */
  constructor(private readonly out: Writable & { columns?: number }) {
    this.plain = new PlainProgress({ write: (t: string) => this.above(t) });
    this.timer = setInterval(() => this.draw(), 200);
    this.timer.unref();
  }

  onEvent(e: RunEvent): void {
    if (e.type === 'run-started') {
      this.header = `run ${e.runId} · ${e.pipeline}`;
      for (const s of e.steps) this.steps.set(s, { status: 'queued', since: Date.now() });
    } else if (e.type === 'step') {
      const note = e.error ? describeError(e.error) : e.reason;
      this.steps.set(e.step, {
        status: e.status,
        since: Date.now(),
        ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}),
        ...(note ? { note } : {}),
      });
    } else if (e.type === 'log') {
      this.plain.onEvent(e);
      return;
    } else {
      this.draw();
      this.finished = true;
      this.drawn = 0;
      this.plain.onEvent(e);
      return;
    }
    this.draw();
  }

  private above(text: string): void {
    this.clear();
    this.out.write(text);
    this.draw();
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}F\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.steps.size === 0 || this.finished) return;
    const nameWidth = Math.max(...[...this.steps.keys()].map((s) => s.length));
    const lines = [this.header];
    for (const [name, s] of this.steps) {
      const ms = s.status === 'running' ? Date.now() - s.since : s.durationMs;
      const time = ms !== undefined && s.status !== 'queued' ? ` ${seconds(ms)}` : '';
      lines.push(` ${SYMBOL[s.status]} ${name.padEnd(nameWidth)} ${s.status}${time}${s.note ? `  ${s.note}` : ''}`);
    }
    const width = Math.max(20, (this.out.columns ?? 120) - 1);
    this.clear();
    this.out.write(`${lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n')}\n`);
    this.drawn = lines.length;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
