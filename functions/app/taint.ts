import { envelopeId } from '../core/event-fields.js';
import type { InstanceTainted } from '../core/events.js';
import type { Millis } from '../core/model.js';
import type { EventsPort, Logger, TaintPort } from '../core/ports.js';
import { formatTaint } from '../core/taint/taint.js';
import { believedTouch, decideTaint, parseTouch } from '../core/taint/touch.js';

export interface TaintDependencies {
  readonly instances: TaintPort;
  readonly events: EventsPort;
  readonly logger: Logger;
  readonly now: () => Millis;
  /** The group tag naming a group's owner, which each `Instance Tainted` event carries. */
  readonly ownerTagKey: string;
}

/** What one invocation did: the event it ignored and why, or the instances it tainted. */
export interface TaintRunSummary {
  readonly ignored: string | null;
  readonly cloudTrailEventId: string | null;
  readonly tainted: readonly string[];
  readonly skipped: number;
}

/**
 * One CloudTrail event: parse the touch → read the instances and their groups → decide → tag → emit.
 * An instance gone between the read and the write is logged and skipped; the others still get their tag.
 * Times from outside are held to the clock: an event time or an existing taint dated further ahead
 * than clocks drift is not believed, and each is logged as a warning.
 *
 * An event that is malformed or not a person's touch logs one warning and returns normally: a retry
 * could not make it valid. A failed AWS call throws, so Lambda retries the whole event: the tag
 * write is idempotent and never moves a taint backwards, and once the retries are spent the
 * function's error alarm fires. A throttled CreateTags is therefore retried, then reported, never
 * dropped. An `Instance Tainted` event that fails to publish throws too (after the tag is written),
 * so a retry may emit it twice; `cloudTrailEventId` with `instanceId` identifies duplicates.
 */
export async function handleTouch(deps: TaintDependencies, event: unknown): Promise<TaintRunSummary> {
  const parsed = parseTouch(event);
  if (parsed.kind === 'ignored') {
    deps.logger.warn('touch ignored', { reason: parsed.reason, eventId: envelopeId(event) ?? null });
    return { ignored: parsed.reason, cloudTrailEventId: null, tainted: [], skipped: 0 };
  }
  const now = deps.now();
  const touch = believedTouch(parsed, now);
  if (touch.at !== parsed.at) {
    deps.logger.warn('touch time ahead of the clock', {
      eventTime: new Date(parsed.at).toISOString(),
      recordedAs: new Date(touch.at).toISOString(),
      cloudTrailEventId: touch.eventId,
    });
  }
  const context = { by: touch.by, via: touch.via, touchedAt: new Date(touch.at).toISOString(), cloudTrailEventId: touch.eventId };
  const found = new Map((await deps.instances.describeInstances(touch.instanceIds)).map((instance) => [instance.id, instance]));
  const chosen: { instanceId: string; group: string; owner: string | null }[] = [];
  for (const instanceId of touch.instanceIds) {
    const decision = decideTaint(touch, found.get(instanceId), now);
    if (decision.act) {
      chosen.push({ instanceId, group: decision.group, owner: found.get(instanceId)?.groupTags[deps.ownerTagKey] ?? null });
      if (decision.overwrites !== undefined)
        deps.logger.warn('future-dated taint overwritten', { instance: instanceId, overwrites: decision.overwrites, ...context });
    } else {
      deps.logger.info('not tainting', { instance: instanceId, why: decision.why, ...context });
    }
  }
  if (chosen.length === 0) return { ignored: null, cloudTrailEventId: touch.eventId, tainted: [], skipped: touch.instanceIds.length };
  const written = new Set(
    await deps.instances.tagTainted(
      chosen.map((pick) => pick.instanceId),
      formatTaint(touch),
    ),
  );
  const tainted = chosen.filter((pick) => written.has(pick.instanceId));
  for (const { instanceId, group } of chosen) {
    if (written.has(instanceId)) deps.logger.info('tainted', { group, instance: instanceId, ...context });
    else deps.logger.info('not tainting', { instance: instanceId, why: 'instance gone before its tag was written (terminated since the touch?)', ...context });
  }
  await deps.events.publish(
    tainted.map(
      ({ instanceId, group, owner }): InstanceTainted => ({
        detailType: 'Instance Tainted',
        time: context.touchedAt,
        detail: { group, instanceId, ...context, owner },
      }),
    ),
  );
  return {
    ignored: null,
    cloudTrailEventId: touch.eventId,
    tainted: tainted.map((pick) => pick.instanceId),
    skipped: touch.instanceIds.length - tainted.length,
  };
}
