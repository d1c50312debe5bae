/**
 * `Slots` for an engine that holds none of its own (a remote engine): steps take
 * their weight in slots, at most `capacity` at once.
 */
import type { Slots } from './engine.js';

export class CountingSlots implements Slots {
  /** Step → slots it holds. */
  private readonly holders = new Map<string, number>();
  private readonly listeners: Array<() => void> = [];
  private held = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
  }

  /** Slots in use. */
  get used(): number {
    return this.held;
  }

  tryAcquire(step: string, weight = 1): boolean {
    if (this.holders.has(step)) return true;
    const w = clampWeight(weight, this.capacity);
    if (this.held + w > this.capacity) return false;
    this.holders.set(step, w);
    this.held += w;
    return true;
  }

  release(step: string): void {
    const w = this.holders.get(step);
    if (w === undefined) return;
    this.holders.delete(step);
    this.held -= w;
    for (const listener of this.listeners) listener();
  }

  onFree(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/** A step's weight in slots: a whole number from 1 to `capacity`. */
export function clampWeight(weight: number, capacity: number): number {
  return Math.min(capacity, Math.max(1, Math.ceil(Number.isFinite(weight) ? weight : 1)));
}
