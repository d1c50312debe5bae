/**
 * A push-to-pull bridge: the run pushes events as they happen; consumers pull
 * them with `for await`. Events are buffered, so a consumer that starts late
 * (or awaits only the final result) misses nothing and never slows the run.
 */
export class EventStream<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private closed = false;
  private iterated = false;

  push(event: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: event, done: false });
    } else this.buffer.push(event);
  }

  close(): void {
    this.closed = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error('a run event stream can be iterated only once');
    this.iterated = true;
    return {
      next: () => {
        const e = this.buffer.shift();
        if (e !== undefined) return Promise.resolve({ value: e, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
    };
  }
}

/** An event stream that can end with an error: the iteration throws it after the last event. */
export class FailableEventStream<T> extends EventStream<T> {
  private error: unknown;
  private failed = false;
  fail(err: unknown): void {
    this.failed = true;
    this.error = err;
    this.close();
  }
  override [Symbol.asyncIterator](): AsyncIterator<T> {
    const inner = super[Symbol.asyncIterator]();
    return {
      next: async () => {
        const r = await inner.next();
        if (r.done && this.failed) throw this.error;
        return r;
      },
    };
  }
}
