import type { Millis } from '../functions/core/model.js';

/** The simulator's time: it moves only when told to, and only forward, so a run is repeatable. */
export class VirtualClock {
  private current: Millis;

  constructor(start: Millis) {
    this.current = start;
  }

  now(): Millis {
    return this.current;
  }

  /** Moves to `at`; going back would let a replayed event observe a future that already happened. */
  set(at: Millis): void {
    if (!Number.isFinite(at) || at < this.current) {
      throw new RangeError(`the virtual clock only moves forward: ${new Date(this.current).toISOString()} to ${at}`);
    }
    this.current = at;
  }

  advance(by: Millis): Millis {
    this.set(this.current + by);
    return this.current;
  }
}
