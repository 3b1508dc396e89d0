import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import { parseSnoozeUntil } from '../functions/core/policy/snooze.js';
import type { ScriptEvent } from './script.js';

type SetTag = Extract<ScriptEvent, { kind: 'set-tag' }>;

/** Share of the snoozing groups whose region has a trail: the others' setters never reach Phoenix. */
const TRAIL_SHARE = 0.75;
/** CloudTrail delivers a record within minutes of the call, mostly. */
const DELIVERY = { min: MINUTE, max: 30 * MINUTE } as const;
/** A record held back until after a later write's record of the same value. */
const LATE = { min: 40 * MINUTE, max: 90 * MINUTE } as const;
/** A record that arrives before a rewrite's, which comes at least 5 minutes after the first write. */
const SOON = { min: MINUTE, max: 4 * MINUTE } as const;
/** How often a colleague writes the same value again, and how soon after the first write. */
const REWRITE = { share: 0.3, after: { min: 5 * MINUTE, max: 20 * MINUTE } } as const;

function between(random: RandomSource, range: { readonly min: Millis; readonly max: Millis }): Millis {
  return Math.round((range.min + random() * (range.max - range.min)) / 1000) * 1000;
}

/** CloudTrail's record of a CreateOrUpdateTags call writing one group's snooze tag, as EventBridge delivers it. */
function tagWriteRecord(write: SetTag & { readonly group: string; readonly by: string }, eventId: string): Readonly<Record<string, unknown>> {
  return {
    version: '0',
    id: `${eventId}-delivery`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.autoscaling',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: write.by },
      eventTime: new Date(write.at).toISOString(),
      eventSource: 'autoscaling.amazonaws.com',
      eventName: 'CreateOrUpdateTags',
      requestParameters: {
        tags: [{ resourceId: write.group, resourceType: 'auto-scaling-group', key: TAG.snoozeUntil, value: write.value, propagateAtLaunch: false }],
      },
      responseElements: null,
      eventID: eventId,
    },
  };
}

/**
 * Names who writes each snooze value (two people per group) and plays CloudTrail: its record of each
 * write reaches the verifier minutes later, or never where the group's region has no trail. Now and
 * then a colleague writes the same value again soon after, its record arriving before or after the
 * first write's: the report must name whoever wrote the value first either way. Draws of its own, so
 * the owners' script is unchanged.
 */
export function followWriters(writes: readonly SetTag[], seed: number): ScriptEvent[] {
  const random = seededRandom(seed ^ 0xc10ad7);
  const trails = new Map<string, boolean>();
  const events: ScriptEvent[] = [];
  for (const write of writes) {
    const group = String(write.group);
    if (!trails.has(group)) trails.set(group, random() < TRAIL_SHARE);
    const trail = trails.get(group) === true;
    const writers = [`arn:aws:sts::111122223333:assumed-role/${group}-owners/ana`, `arn:aws:sts::111122223333:assumed-role/${group}-owners/ben`] as const;
    const first = random() < 0.5 ? 0 : 1;
    const written = { ...write, group, by: writers[first] };
    events.push(written);
    const until = parseSnoozeUntil(written.value ?? '')?.until;
    const snoozes = until !== undefined && until > write.at && until - write.at <= DAY;
    const lasts = write.lasts ?? 0;
    if (snoozes && lasts > REWRITE.after.max && random() < REWRITE.share) {
      const again = { ...written, at: write.at + between(random, REWRITE.after), by: writers[1 - first] as string };
      events.push({ ...again, lasts: lasts - (again.at - write.at) });
      if (trail) {
        // Half the time the first write's record comes first, half the time after the rewrite's.
        const firstDelivered = write.at + (random() < 0.5 ? between(random, LATE) : between(random, SOON));
        events.push({ at: again.at + between(random, SOON), kind: 'cloudtrail', record: tagWriteRecord(again, `sim-trail-${events.length}`) });
        events.push({ at: firstDelivered, kind: 'cloudtrail', record: tagWriteRecord(written, `sim-trail-${events.length}`) });
      }
    } else if (trail) {
      events.push({ at: write.at + between(random, DELIVERY), kind: 'cloudtrail', record: tagWriteRecord(written, `sim-trail-${events.length}`) });
    }
  }
  return events;
}
