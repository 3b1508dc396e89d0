import { envelopeId } from '../core/event-fields.js';
import type { Millis } from '../core/model.js';
import { believedSetter, parseSnoozeSetters } from '../core/policy/snooze-setter.js';
import type { Logger, SnoozeSetterPort } from '../core/ports.js';

export interface SnoozeSetterDependencies {
  readonly setters: SnoozeSetterPort;
  readonly logger: Logger;
  readonly now: () => Millis;
}

/** What one CloudTrail event did: why it was ignored, or the groups whose setter it noted and those an earlier setter kept. */
export interface SnoozeSetterSummary {
  readonly ignored: string | null;
  readonly cloudTrailEventId: string | null;
  readonly noted: readonly string[];
  readonly earlierKept: readonly string[];
  readonly skipped: number;
}

/**
 * One CloudTrail `CreateOrUpdateTags` call: who set each group's `phoenix:snooze-until`, and when, onto
 * the ledger's item for that value, for the weekly report. Nothing about a group changes: the tick
 * alone decides what a snooze means.
 *
 * A malformed event or snooze value logs one warning and returns normally: a retry could not make it
 * valid. A failed ledger write throws, so Lambda retries the event: the write keeps the earliest
 * setter, so a retry or a late delivery changes nothing that is already right.
 */
export async function noteSnoozeSetters(deps: SnoozeSetterDependencies, event: unknown): Promise<SnoozeSetterSummary> {
  const parsed = parseSnoozeSetters(event);
  if (parsed.kind === 'ignored') {
    deps.logger.warn('snooze setter ignored', { reason: parsed.reason, eventId: envelopeId(event) ?? null });
    return { ignored: parsed.reason, cloudTrailEventId: null, noted: [], earlierKept: [], skipped: 0 };
  }
  for (const reason of parsed.skipped) deps.logger.warn('snooze setter ignored', { reason, cloudTrailEventId: parsed.eventId });
  const now = deps.now();
  const setters = parsed.setters.map((setter) => {
    const believed = believedSetter(setter, now);
    if (believed.at !== setter.at) {
      deps.logger.warn('snooze setter time ahead of the clock', {
        group: setter.group,
        eventTime: new Date(setter.at).toISOString(),
        recordedAs: new Date(believed.at).toISOString(),
        cloudTrailEventId: setter.eventId,
      });
    }
    return believed;
  });
  const outcomes = await Promise.all(setters.map((setter) => deps.setters.noteSnoozeSetter(setter)));
  const noted: string[] = [];
  const earlierKept: string[] = [];
  for (const [index, setter] of setters.entries()) {
    const outcome = outcomes[index];
    (outcome === 'noted' ? noted : earlierKept).push(setter.group);
    deps.logger.info(outcome === 'noted' ? 'snooze setter noted' : 'snooze setter not kept: an earlier one is', {
      group: setter.group,
      until: new Date(setter.until).toISOString(),
      by: setter.by,
      setAt: new Date(setter.at).toISOString(),
      cloudTrailEventId: setter.eventId,
    });
  }
  return { ignored: null, cloudTrailEventId: parsed.eventId, noted, earlierKept, skipped: parsed.skipped.length };
}
