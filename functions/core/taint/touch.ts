import { readCloudTrailCall } from '../cloudtrail.js';
import type { Fields } from '../event-fields.js';
import { isFields, shown } from '../event-fields.js';
import type { Millis } from '../model.js';
import { TRUSTED_CLOCK_SKEW } from '../model.js';
import { TAG } from '../policy/policy.js';
import type { TouchKind } from './taint.js';
import { formatTaint, parseTaint } from './taint.js';

/** A touched instance as the taint function sees it: its group (if any), that group's tags, its current taint. */
export interface TouchedInstance {
  readonly id: string;
  /** From the instance's `aws:autoscaling:groupName` tag; undefined for an instance outside any group. */
  readonly group: string | undefined;
  /** The group's tags; empty when the instance has no group or the group is gone. */
  readonly groupTags: Readonly<Record<string, string>>;
  /** The instance's `phoenix:tainted` value, if any. */
  readonly tainted: string | undefined;
}

/** A person reached these instances: who, how, when, and which CloudTrail record says so. */
export interface Touch {
  readonly kind: 'touch';
  readonly instanceIds: readonly string[];
  readonly by: string;
  readonly via: TouchKind;
  readonly at: Millis;
  readonly eventId: string;
}

export type TouchResult = Touch | { readonly kind: 'ignored'; readonly reason: string };

/** The CloudTrail records that mean a person reached an instance, by `eventSource/eventName`. */
const TOUCH_CALLS: ReadonlyMap<string, TouchKind> = new Map([
  ['ssm.amazonaws.com/StartSession', 'ssm-session'],
  ['ssm.amazonaws.com/SendCommand', 'ssm-command'],
  ['ec2-instance-connect.amazonaws.com/SendSSHPublicKey', 'ec2-instance-connect'],
]);

/** EC2 instance ids: `i-` and 8 (older) or 17 hex digits. Managed nodes (`mi-`) and ECS targets are not instances. */
export const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/** EC2 caps a tag value at 256 Unicode characters; the whole `phoenix:tainted` value must fit. */
const EC2_TAG_VALUE_LIMIT = 256;

const ignored = (reason: string): TouchResult => ({ kind: 'ignored', reason });

/**
 * `;` and `=` separate the tag's fields, control characters have no place in it; and when the
 * principal is too long, its start goes: the end of an assumed-role ARN is the session name, the person.
 */
function principalFor(raw: string, budget: number): string {
  const clean = [...raw.replace(/[;=\p{Cc}]/gu, '_')];
  return clean.length <= budget ? clean.join('') : `...${clean.slice(clean.length - budget + 3).join('')}`;
}

/** Who made the call, or why it was not a person. */
function caller(identity: unknown): { by: string } | { reason: string } {
  if (!isFields(identity)) return { reason: `detail.userIdentity is ${shown(identity)}: expected the CloudTrail caller` };
  const invokedBy = identity['invokedBy'];
  if (identity['type'] === 'AWSService' || (typeof invokedBy === 'string' && invokedBy.endsWith('.amazonaws.com'))) {
    return { reason: `the call was made by ${typeof invokedBy === 'string' ? invokedBy : 'an AWS service'}, not by a person` };
  }
  for (const key of ['arn', 'principalId', 'accountId']) {
    const value = identity[key];
    if (typeof value === 'string' && value.trim() !== '') return { by: value.trim() };
  }
  return { reason: 'detail.userIdentity has no arn, principalId or accountId: expected the CloudTrail caller' };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The instances a call names, or why none can be taken from the event. */
function targets(via: TouchKind, request: Fields): { ids: string[] } | { reason: string } {
  if (via !== 'ssm-command') {
    const field = via === 'ssm-session' ? 'target' : 'instanceId';
    const value = request[field];
    return typeof value === 'string' && INSTANCE_ID.test(value)
      ? { ids: [value] }
      : { reason: `detail.requestParameters.${field} is ${shown(value)}: expected an EC2 instance id (i-...)` };
  }
  const named = stringList(request['instanceIds']);
  const unresolvable: string[] = [];
  for (const target of Array.isArray(request['targets']) ? request['targets'] : []) {
    const fields: Fields = isFields(target) ? target : {};
    const values = stringList(fields['values']);
    // Run Command takes the key in any case: the CLI's own examples write `Key=instanceids`.
    if (typeof fields['key'] === 'string' && fields['key'].toLowerCase() === 'instanceids') named.push(...values);
    else unresolvable.push(`${String(fields['key'])}=${values.join(',')}`);
  }
  const ids = [...new Set(named.filter((id) => INSTANCE_ID.test(id)))];
  if (ids.length > 0) return { ids };
  if (unresolvable.length > 0) {
    return { reason: `SendCommand targets ${unresolvable.join('; ')}: the event does not say which instances those matched, so none can be tainted` };
  }
  return named.length > 0
    ? { reason: `SendCommand instanceIds ${JSON.stringify(named)}: expected EC2 instance ids (i-...)` }
    : { reason: 'SendCommand names no instanceIds and no targets' };
}

/**
 * Reads an EventBridge event (any input) as a hand-made touch of EC2 instances, or says precisely
 * why it is not one: malformed, another API call, a failed call, or a call made by an AWS service.
 */
export function parseTouch(event: unknown): TouchResult {
  const read = readCloudTrailCall(event, { calls: TOUCH_CALLS, kind: 'a touch', failedMeans: 'touched nothing' });
  if ('reason' in read) return ignored(read.reason);
  const { meaning: via, at, eventId, request } = read;
  const who = caller(read.identity);
  if ('reason' in who) return ignored(who.reason);
  if (!isFields(request)) return ignored(`detail.requestParameters is ${shown(request)}: expected the call's parameters`);
  const touched = targets(via, request);
  if ('reason' in touched) return ignored(touched.reason);
  const budget = EC2_TAG_VALUE_LIMIT - formatTaint({ at, by: '', via }).length;
  return { kind: 'touch', instanceIds: touched.ids, by: principalFor(who.by, budget), via, at, eventId };
}

/**
 * The touch as the tainter may record it. A CloudTrail time further ahead of the clock than clocks
 * drift is not believed; the call did happen, so the touch is dated now rather than dropped.
 */
export function believedTouch(touch: Touch, now: Millis): Touch {
  return touch.at > now + TRUSTED_CLOCK_SKEW ? { ...touch, at: now } : touch;
}

export type TaintDecision = { readonly act: true; readonly group: string; readonly overwrites?: string } | { readonly act: false; readonly why: string };

/**
 * Whether a touched instance gets the tag: only in a group whose `phoenix:enabled` is exactly `true`,
 * and never moving a taint backwards (CloudTrail events can arrive late and out of order).
 * A taint dated further ahead of `now` than clocks drift is no later touch but a wrong or planted value,
 * one that would keep the instance in its grace (left alone by every rule) until that date: this touch
 * replaces it, and `overwrites` says what went.
 * Exempt and protected instances are tagged too: the touch is a fact, and the recycler never picks
 * them while they stay exempt. `now` defaults to the touch's own time, for a caller that handles
 * every touch as it happens.
 */
export function decideTaint(touch: Touch, instance: TouchedInstance | undefined, now: Millis = touch.at): TaintDecision {
  if (instance === undefined) return { act: false, why: 'instance not found (terminated since the touch?)' };
  if (instance.group === undefined) return { act: false, why: 'not in an Auto Scaling group' };
  const enabled = instance.groupTags[TAG.enabled];
  if (enabled !== 'true') {
    return {
      act: false,
      why: `group ${instance.group} is not opted in (${TAG.enabled}=${enabled === undefined ? '(unset)' : JSON.stringify(enabled)}, expected "true")`,
    };
  }
  const existing = instance.tainted === undefined ? undefined : parseTaint(instance.tainted);
  if (existing === undefined || existing.at <= touch.at) return { act: true, group: instance.group };
  const described = `${new Date(existing.at).toISOString()} by ${existing.by} via ${existing.via}`;
  if (existing.at > now + TRUSTED_CLOCK_SKEW) {
    return { act: true, group: instance.group, overwrites: `a taint dated ${described}, ahead of the clock (${new Date(now).toISOString()})` };
  }
  return { act: false, why: `already tainted by a later touch (${described})` };
}
