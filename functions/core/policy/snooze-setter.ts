import { CLOUDTRAIL_DETAIL_TYPE, readCloudTrailCall } from '../cloudtrail.js';
import type { Fields } from '../event-fields.js';
import { isFields, shown } from '../event-fields.js';
import type { Millis } from '../model.js';
import { TRUSTED_CLOCK_SKEW } from '../model.js';
import { TAG } from './policy.js';
import { parseSnoozeUntil, SNOOZE_EXPECTED } from './snooze.js';

/** One group's snooze value as a CloudTrail record of the tag write tells it: who wrote it, when. */
export interface SnoozeSetter {
  readonly group: string;
  /** The tag's time, the snooze's identity within its group (as the tick marks it). */
  readonly until: Millis;
  /** The caller's ARN; `principal <id>` or `<type> caller` only when the record carries no ARN. */
  readonly by: string;
  readonly at: Millis;
  readonly eventId: string;
}

export type SnoozeSetterRead =
  /** `skipped`: why each snooze tag of the call that names no group or no snooze time was left out. */
  | { readonly kind: 'setters'; readonly setters: readonly SnoozeSetter[]; readonly eventId: string; readonly skipped: readonly string[] }
  | { readonly kind: 'ignored'; readonly reason: string };

const TAG_WRITE: ReadonlyMap<string, 'tag-write'> = new Map([['autoscaling.amazonaws.com/CreateOrUpdateTags', 'tag-write']]);
const GROUP_RESOURCE = 'auto-scaling-group';
/** Long enough for any IAM ARN a person signs in with; the end of an assumed-role ARN is the session name, the person. */
const LONGEST_SETTER = 512;

const ignored = (reason: string): SnoozeSetterRead => ({ kind: 'ignored', reason });

/** A CloudTrail record of an Auto Scaling API call (the verifier's rule sends only tag writes naming the snooze tag). */
export function isAutoScalingApiCall(event: unknown): boolean {
  return isFields(event) && event['source'] === 'aws.autoscaling' && event['detail-type'] === CLOUDTRAIL_DETAIL_TYPE;
}

/** Control characters have no place in a report line; a name too long loses its start. */
function cleaned(raw: string): string {
  const clean = [...raw.replace(/\p{Cc}/gu, '_')];
  return clean.length <= LONGEST_SETTER ? clean.join('') : `...${clean.slice(clean.length - LONGEST_SETTER + 3).join('')}`;
}

/** Who made the call: the ARN, else the principal id or the identity type, each named as what it is. */
function caller(identity: unknown): { by: string } | { reason: string } {
  if (!isFields(identity)) return { reason: `detail.userIdentity is ${shown(identity)}: expected the CloudTrail caller` };
  const text = (key: string): string | undefined => {
    const value = identity[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const arn = text('arn');
  if (arn !== undefined) return { by: cleaned(arn) };
  const principal = text('principalId');
  const type = text('type');
  if (principal !== undefined) return { by: cleaned(`principal ${principal}${type === undefined ? '' : ` (${type})`}`) };
  if (type !== undefined) return { by: cleaned(`${type} caller`) };
  return { reason: 'detail.userIdentity has no arn, principalId or type: expected the CloudTrail caller' };
}

/** The group and time a snooze tag of the call sets, or why it names none. */
function snoozeTag(tag: Fields, index: number): { group: string; until: Millis } | { reason: string } {
  const field = `detail.requestParameters.tags[${index}]`;
  const type = tag['resourceType'];
  if (type !== undefined && type !== GROUP_RESOURCE) return { reason: `${field}.resourceType is ${shown(type)}: expected "${GROUP_RESOURCE}"` };
  const group = tag['resourceId'];
  if (typeof group !== 'string' || group === '') return { reason: `${field}.resourceId is ${shown(group)}: expected the Auto Scaling group's name` };
  const value = tag['value'];
  const parsed = typeof value === 'string' ? parseSnoozeUntil(value) : undefined;
  if (parsed === undefined) return { reason: `${field}.value is ${shown(value)} (group ${group}): expected ${SNOOZE_EXPECTED}` };
  return { group, until: parsed.until };
}

/**
 * Reads an EventBridge event (any input) as the snooze values a `CreateOrUpdateTags` call wrote and who
 * wrote them, or says precisely why it is not one: malformed, another call, or a failed call. A call
 * that names a group twice sets the last value, as Auto Scaling applies it.
 */
export function parseSnoozeSetters(event: unknown): SnoozeSetterRead {
  const read = readCloudTrailCall(event, { calls: TAG_WRITE, kind: 'a tag write', failedMeans: 'set no tag' });
  if ('reason' in read) return ignored(read.reason);
  const { call, at, eventId, request } = read;
  const who = caller(read.identity);
  if ('reason' in who) return ignored(who.reason);
  const tags = isFields(request) ? request['tags'] : undefined;
  if (!Array.isArray(tags)) return ignored(`detail.requestParameters.tags is ${shown(tags)}: expected the list of tags the call wrote`);
  const byGroup = new Map<string, SnoozeSetter>();
  const skipped: string[] = [];
  let named = 0;
  for (const [index, tag] of tags.entries()) {
    if (!isFields(tag) || tag['key'] !== TAG.snoozeUntil) continue;
    named += 1;
    const found = snoozeTag(tag, index);
    if ('reason' in found) skipped.push(found.reason);
    else byGroup.set(found.group, { ...found, by: who.by, at, eventId });
  }
  if (named === 0) return ignored(`${call} ${eventId} writes no ${TAG.snoozeUntil} tag: expected one (the rule sends only those)`);
  return { kind: 'setters', setters: [...byGroup.values()], eventId, skipped };
}

/**
 * The setter as the ledger may keep it. A CloudTrail time further ahead of the clock than clocks drift
 * is not believed: the call did happen, so it is dated now rather than dropped.
 */
export function believedSetter(setter: SnoozeSetter, now: Millis): SnoozeSetter {
  return setter.at > now + TRUSTED_CLOCK_SKEW ? { ...setter, at: now } : setter;
}
