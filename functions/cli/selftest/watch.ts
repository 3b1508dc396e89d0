import type { Millis } from '../../core/model.js';
import type { SelftestClock } from './ports.js';

/** The person interrupted the run (Ctrl-C): it stops waiting at once and goes on to clean up. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';

  constructor() {
    super('interrupted');
  }
}

export interface Patience {
  /** How long to wait in all before giving up. */
  readonly timeout: Millis;
  /** How long between two looks. */
  readonly interval: Millis;
}

/**
 * Looks until `look` finds something, and returns it; undefined once the timeout has passed. An
 * interrupt throws InterruptedError, whether it comes during a look or during a wait.
 */
export async function waitFor<T>(clock: SelftestClock, signal: AbortSignal, patience: Patience, look: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = clock.now() + patience.timeout;
  for (;;) {
    if (signal.aborted) throw new InterruptedError();
    const found = await look();
    if (found !== undefined) return found;
    const left = deadline - clock.now();
    if (left <= 0) return undefined;
    await clock.sleep(Math.min(patience.interval, left), signal);
  }
}
