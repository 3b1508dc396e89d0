import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../../../functions/core/model.js';
import { believedSetter, isAutoScalingApiCall, parseSnoozeSetters } from '../../../../functions/core/policy/snooze-setter.js';

type Event = { detail: Record<string, unknown> & { requestParameters: { tags: Record<string, unknown>[] }; userIdentity: Record<string, unknown> } };

/** autoscaling-create-or-update-tags-snooze.json: bob snoozes web until 17:00Z, and writes another tag beside it. */
const fixture = (): Event =>
  JSON.parse(readFileSync(new URL('../../../events/autoscaling-create-or-update-tags-snooze.json', import.meta.url), 'utf8')) as Event;
const BOB = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_WebTeam_5c4d3e2f1a0b9c8d/bob@example.com';
const EVENT_ID = 'c41f7a92-3e5d-4b08-a6c1-9d2e8b7f0a35';
const SET_AT = Date.UTC(2026, 10, 25, 8, 31, 42);
const UNTIL = Date.UTC(2026, 10, 25, 17);

function edited(edit: (event: Event) => void): Event {
  const event = fixture();
  edit(event);
  return event;
}

const snoozeTag = (group: string, value: unknown, extra: Record<string, unknown> = {}) => ({
  resourceId: group,
  resourceType: 'auto-scaling-group',
  key: 'phoenix:snooze-until',
  value,
  propagateAtLaunch: false,
  ...extra,
});

describe('a CloudTrail record of a snooze tag write', () => {
  it('names the group, the snooze time (offset applied), the caller ARN, the call time and the record', () => {
    expect(parseSnoozeSetters(fixture())).toEqual({
      kind: 'setters',
      setters: [{ group: 'web', until: UNTIL, by: BOB, at: SET_AT, eventId: EVENT_ID }],
      eventId: EVENT_ID,
      skipped: [],
    });
  });

  it('is what the verifier dispatches on: an Auto Scaling CloudTrail record, not a lifecycle event or the schedule', () => {
    expect(isAutoScalingApiCall(fixture())).toBe(true);
    expect(isAutoScalingApiCall({ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', detail: {} })).toBe(false);
    expect(isAutoScalingApiCall({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBe(false);
    expect(isAutoScalingApiCall({ source: 'aws.ssm', 'detail-type': 'AWS API Call via CloudTrail' })).toBe(false);
  });

  it('reads each group of a call that snoozes several, the last value of a group named twice', () => {
    const event = edited((e) => {
      e.detail.requestParameters.tags = [
        snoozeTag('web', '2026-11-25T12:00:00Z'),
        snoozeTag('api', '2026-11-25T13:00:00Z'),
        snoozeTag('web', '2026-11-25T14:00:00Z'),
      ];
    });
    const read = parseSnoozeSetters(event);
    expect(read.kind === 'setters' ? read.setters.map((setter) => [setter.group, new Date(setter.until).toISOString()]) : read).toEqual([
      ['web', '2026-11-25T14:00:00.000Z'],
      ['api', '2026-11-25T13:00:00.000Z'],
    ]);
  });

  it.each([
    {
      case: 'no ARN: the principal id, named as such, with its type',
      identity: { type: 'IAMUser', principalId: 'AIDA4EXAMPLEUSERID' },
      by: 'principal AIDA4EXAMPLEUSERID (IAMUser)',
    },
    { case: 'neither ARN nor principal: the identity type, named as such', identity: { type: 'Root' }, by: 'Root caller' },
    {
      case: 'control characters in the ARN are replaced',
      identity: { arn: 'arn:aws:iam::123456789012:user/eve\nx' },
      by: 'arn:aws:iam::123456789012:user/eve_x',
    },
    { case: 'an overlong ARN keeps its end, the session name', identity: { arn: `arn:${'a'.repeat(600)}/bob` }, by: `...${'a'.repeat(505)}/bob` },
  ])('who: $case', ({ identity, by }) => {
    const read = parseSnoozeSetters(
      edited((e) => {
        e.detail.userIdentity = identity;
      }),
    );
    expect(read.kind === 'setters' ? read.setters[0]?.by : read).toBe(by);
  });

  it.each([
    { case: 'not an object', event: 'hello', says: 'event is "hello": expected an EventBridge event object' },
    { case: 'not a CloudTrail record', event: { source: 'aws.autoscaling' }, says: 'event detail-type is missing: expected "AWS API Call via CloudTrail"' },
    {
      case: 'no detail',
      event: { source: 'aws.autoscaling', 'detail-type': 'AWS API Call via CloudTrail' },
      says: 'event.detail is missing: expected the CloudTrail record object',
    },
    {
      case: 'another Auto Scaling call',
      event: edited((e) => {
        e.detail['eventName'] = 'DeleteTags';
      }),
      says: 'autoscaling.amazonaws.com/DeleteTags is not a tag write: expected autoscaling.amazonaws.com/CreateOrUpdateTags',
    },
    {
      case: 'a failed call',
      event: edited((e) => {
        e.detail['errorCode'] = 'AccessDenied';
        e.detail['errorMessage'] = 'not authorized';
      }),
      says: 'autoscaling.amazonaws.com/CreateOrUpdateTags failed with AccessDenied (not authorized): a failed call set no tag',
    },
    {
      case: 'no caller',
      event: edited((e) => {
        e.detail.userIdentity = {};
      }),
      says: 'detail.userIdentity has no arn, principalId or type: expected the CloudTrail caller',
    },
    {
      case: 'a bad event time',
      event: edited((e) => {
        e.detail['eventTime'] = 'yesterday';
      }),
      says: 'detail.eventTime is "yesterday": expected an ISO-8601 time',
    },
    {
      case: 'no event id',
      event: edited((e) => {
        e.detail['eventID'] = '';
      }),
      says: 'detail.eventID is "": expected the CloudTrail event id',
    },
    {
      case: 'no tag list',
      event: edited((e) => {
        e.detail['requestParameters'] = { tags: 'phoenix:snooze-until' } as unknown as Event['detail']['requestParameters'];
      }),
      says: 'detail.requestParameters.tags is "phoenix:snooze-until": expected the list of tags the call wrote',
    },
    {
      case: 'no snooze tag among the tags',
      event: edited((e) => {
        e.detail.requestParameters.tags = [{ resourceId: 'web', resourceType: 'auto-scaling-group', key: 'team', value: 'web' }];
      }),
      says: `autoscaling.amazonaws.com/CreateOrUpdateTags ${EVENT_ID} writes no phoenix:snooze-until tag: expected one (the rule sends only those)`,
    },
  ])('ignores $case, saying why', ({ event, says }) => {
    expect(parseSnoozeSetters(event)).toEqual({ kind: 'ignored', reason: says });
  });

  it('leaves out a snooze tag with a bad value, resource type or group, saying why, and keeps the good ones', () => {
    const event = edited((e) => {
      e.detail.requestParameters.tags = [
        snoozeTag('web', 'tomorrow'),
        snoozeTag('api', '2026-11-25T13:00:00Z', { resourceType: 'instance' }),
        snoozeTag('', '2026-11-25T13:00:00Z'),
        snoozeTag('batch', '2026-11-25T13:00:00Z'),
      ];
    });
    const read = parseSnoozeSetters(event);
    expect(read).toMatchObject({ kind: 'setters', setters: [{ group: 'batch', until: Date.UTC(2026, 10, 25, 13) }] });
    expect(read.kind === 'setters' ? read.skipped : []).toEqual([
      'detail.requestParameters.tags[0].value is "tomorrow" (group web): expected an ISO time with an offset, such as 2026-12-01T18:00:00Z or 2026-12-01T19:00:00+01:00, at most 24h ahead',
      'detail.requestParameters.tags[1].resourceType is "instance": expected "auto-scaling-group"',
      'detail.requestParameters.tags[2].resourceId is "": expected the Auto Scaling group\'s name',
    ]);
  });
});

describe('the setter as the ledger may keep it', () => {
  const read = parseSnoozeSetters(fixture());
  const setter = read.kind === 'setters' ? read.setters[0] : undefined;

  it('keeps the call time within the clock skew, and dates a time further ahead now', () => {
    if (setter === undefined) throw new Error('the fixture names a setter');
    expect(believedSetter(setter, SET_AT - 2 * MINUTE)).toBe(setter);
    expect(believedSetter(setter, SET_AT - 10 * MINUTE)).toEqual({ ...setter, at: SET_AT - 10 * MINUTE });
  });
});
