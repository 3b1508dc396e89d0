import type { RandomSource } from '../functions/core/decide/random.js';
import type { Group, Millis } from '../functions/core/model.js';

/**
 * DescribeAutoScalingGroups is eventually consistent: for a while after a write to a group, reads may
 * still show the group as it was before that write. Each write draws how long (up to the maximum) from
 * the fleet's own random source; until then every read of that group gets the old view. Writes
 * themselves always act on the true state.
 */
export class DescribeLag {
  private readonly stale = new Map<string, { readonly until: Millis; readonly view: Group }>();

  constructor(
    private readonly max: Millis,
    private readonly random: RandomSource,
  ) {}

  /** A write is about to change the group; `before` is the view reads keep getting for the drawn lag. */
  written(before: Group, at: Millis): void {
    this.stale.set(before.name, { until: at + Math.round(this.random() * this.max), view: before });
  }

  /** What a read of the group returns at `at`, given its true view now. */
  read(current: Group, at: Millis): Group {
    const entry = this.stale.get(current.name);
    if (entry === undefined) return current;
    if (at < entry.until) return entry.view;
    this.stale.delete(current.name);
    return current;
  }
}
