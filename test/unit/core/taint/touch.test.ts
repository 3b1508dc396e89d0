import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINUTE, TRUSTED_CLOCK_SKEW } from '../../../../functions/core/model.js';
import { formatTaint } from '../../../../functions/core/taint/taint.js';
import type { TouchedInstance, TouchResult } from '../../../../functions/core/taint/touch.js';
import { believedTouch, decideTaint, parseTouch } from '../../../../functions/core/taint/touch.js';
import { OPTED_IN } from '../../../support/fleet.js';

const EVENTS = new URL('../../../events/', import.meta.url);
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(name, EVENTS), 'utf8')) as Record<string, unknown>;

const ALICE = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformEngineer_0f1e2d3c4b5a6978/alice@example.com';
const BOB = 'arn:aws:iam::123456789012:user/bob';
const WEB_1 = 'i-0a1b2c3d4e5f60718';
const WEB_2 = 'i-0f9e8d7c6b5a40312';

const FIXTURES: readonly { case: string; file: string; expected: TouchResult }[] = [
  {
    case: 'a Session Manager session names its instance; the assumed-role ARN keeps the session name (the person)',
    file: 'ssm-start-session.json',
    expected: {
      kind: 'touch',
      instanceIds: [WEB_1],
      by: ALICE,
      via: 'ssm-session',
      at: Date.UTC(2026, 10, 23, 9, 14, 7),
      eventId: '9f3c2b1a-7d6e-4c5b-8a9f-0e1d2c3b4a51',
    },
  },
  {
    case: 'Run Command with instanceIds touches each of them',
    file: 'ssm-send-command.json',
    expected: {
      kind: 'touch',
      instanceIds: [WEB_1, WEB_2],
      by: BOB,
      via: 'ssm-command',
      at: Date.UTC(2026, 10, 23, 9, 20, 45),
      eventId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c52',
    },
  },
  {
    case: 'Run Command targets with Key=InstanceIds count as instance ids',
    file: 'ssm-send-command-targets-instance-ids.json',
    expected: {
      kind: 'touch',
      instanceIds: [WEB_2],
      by: BOB,
      via: 'ssm-command',
      at: Date.UTC(2026, 10, 23, 9, 20, 45),
      eventId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e74',
    },
  },
  {
    case: 'EC2 Instance Connect names its instance',
    file: 'ec2-instance-connect.json',
    expected: {
      kind: 'touch',
      instanceIds: [WEB_2],
      by: BOB,
      via: 'ec2-instance-connect',
      at: Date.UTC(2026, 10, 23, 10, 2, 33),
      eventId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f85',
    },
  },
  {
    case: 'Run Command targets by tag cannot be resolved from the event',
    file: 'ssm-send-command-targets-by-tag.json',
    expected: { kind: 'ignored', reason: 'SendCommand targets tag:Role=web: the event does not say which instances those matched, so none can be tainted' },
  },
  {
    case: 'an event without detail',
    file: 'malformed-missing-detail.json',
    expected: { kind: 'ignored', reason: 'event.detail is missing: expected the CloudTrail record object' },
  },
  {
    case: 'an event whose detail is not an object',
    file: 'malformed-detail-not-object.json',
    expected: { kind: 'ignored', reason: 'event.detail is "StartSession": expected the CloudTrail record object' },
  },
  {
    case: 'another Session Manager call (TerminateSession) is not a touch',
    file: 'ssm-terminate-session-unknown-event-name.json',
    expected: {
      kind: 'ignored',
      reason:
        'ssm.amazonaws.com/TerminateSession is not a touch: expected one of ssm.amazonaws.com/StartSession, ssm.amazonaws.com/SendCommand, ec2-instance-connect.amazonaws.com/SendSSHPublicKey',
    },
  },
  {
    case: 'a call that failed (AccessDenied) touched nothing',
    file: 'ssm-start-session-access-denied.json',
    expected: {
      kind: 'ignored',
      reason:
        'ssm.amazonaws.com/StartSession failed with AccessDenied (User: arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformEngineer_0f1e2d3c4b5a6978/alice@example.com is not authorized to perform: ssm:StartSession on resource: arn:aws:ec2:eu-west-1:123456789012:instance/i-0a1b2c3d4e5f60718 because no identity-based policy allows the ssm:StartSession action): a failed call touched nothing',
    },
  },
  {
    case: 'a session on a managed node (mi-) is not an EC2 instance',
    file: 'ssm-start-session-managed-node.json',
    expected: { kind: 'ignored', reason: 'detail.requestParameters.target is "mi-0123456789abcdef0": expected an EC2 instance id (i-...)' },
  },
  {
    case: 'an ECS Exec session targets a container, not an instance',
    file: 'ssm-start-session-ecs-target.json',
    expected: {
      kind: 'ignored',
      reason:
        'detail.requestParameters.target is "ecs:checkout_5a1b2c3d4e5f40718293a4b5c6d7e8f9_5a1b2c3d4e5f40718293a4b5c6d7e8f9-1234567890": expected an EC2 instance id (i-...)',
    },
  },
  {
    case: 'a command sent by Systems Manager itself (a maintenance window) is not a person',
    file: 'ssm-send-command-invoked-by-service.json',
    expected: { kind: 'ignored', reason: 'the call was made by ssm.amazonaws.com, not by a person' },
  },
  {
    case: "a snooze tag write is the verifier's, touching no instance",
    file: 'autoscaling-create-or-update-tags-snooze.json',
    expected: {
      kind: 'ignored',
      reason:
        'autoscaling.amazonaws.com/CreateOrUpdateTags is not a touch: expected one of ssm.amazonaws.com/StartSession, ssm.amazonaws.com/SendCommand, ec2-instance-connect.amazonaws.com/SendSSHPublicKey',
    },
  },
];

describe('parseTouch on the fixtures in test/events', () => {
  it('every fixture has a named case below', () => {
    expect(
      readdirSync(EVENTS)
        .filter((name) => name.endsWith('.json'))
        .sort(),
    ).toEqual(FIXTURES.map((entry) => entry.file).sort());
  });

  it.each(FIXTURES)('$case ($file)', ({ file, expected }) => {
    expect(parseTouch(fixture(file))).toEqual(expected);
  });
});

/** The Session Manager fixture with its detail changed by `edit`. */
function session(edit: (detail: Record<string, unknown>) => void): Record<string, unknown> {
  const event = fixture('ssm-start-session.json');
  edit(event['detail'] as Record<string, unknown>);
  return event;
}

function command(requestParameters: Record<string, unknown>): Record<string, unknown> {
  const event = fixture('ssm-send-command.json');
  (event['detail'] as Record<string, unknown>)['requestParameters'] = requestParameters;
  return event;
}

/** The event with its caller replaced. */
function calledBy(event: Record<string, unknown>, userIdentity: Record<string, unknown>): Record<string, unknown> {
  (event['detail'] as Record<string, unknown>)['userIdentity'] = userIdentity;
  return event;
}

describe('parseTouch on other inputs', () => {
  it.each([
    { case: 'null', event: null, reason: 'event is null: expected an EventBridge event object' },
    { case: 'a string', event: 'StartSession', reason: 'event is "StartSession": expected an EventBridge event object' },
    { case: 'an array', event: [], reason: 'event is []: expected an EventBridge event object' },
    {
      case: 'a scheduled event',
      event: { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
      reason: 'event detail-type is "Scheduled Event": expected "AWS API Call via CloudTrail"',
    },
    {
      case: 'a caller of type AWSService',
      event: session((detail) => (detail['userIdentity'] = { type: 'AWSService', invokedBy: 'ssm.amazonaws.com' })),
      reason: 'the call was made by ssm.amazonaws.com, not by a person',
    },
    {
      case: 'a caller of type AWSService without invokedBy',
      event: session((detail) => (detail['userIdentity'] = { type: 'AWSService' })),
      reason: 'the call was made by an AWS service, not by a person',
    },
    {
      case: 'no userIdentity',
      event: session((detail) => delete detail['userIdentity']),
      reason: 'detail.userIdentity is missing: expected the CloudTrail caller',
    },
    {
      case: 'a userIdentity naming nobody',
      event: session((detail) => (detail['userIdentity'] = { type: 'Unknown' })),
      reason: 'detail.userIdentity has no arn, principalId or accountId: expected the CloudTrail caller',
    },
    {
      case: 'an eventTime that is not a time',
      event: session((detail) => (detail['eventTime'] = 'yesterday')),
      reason: 'detail.eventTime is "yesterday": expected an ISO-8601 time',
    },
    {
      case: 'no eventID',
      event: session((detail) => delete detail['eventID']),
      reason: 'detail.eventID is missing: expected the CloudTrail event id',
    },
    {
      case: 'no requestParameters',
      event: session((detail) => (detail['requestParameters'] = null)),
      reason: "detail.requestParameters is null: expected the call's parameters",
    },
    {
      case: "an Automation runbook's Run Command step (the service acts, on a person's behalf or a schedule's)",
      event: calledBy(command({ instanceIds: [WEB_1], documentName: 'AWS-RunShellScript' }), {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/AutomationRole/b2a1c3d4',
        invokedBy: 'ssm.amazonaws.com',
      }),
      reason: 'the call was made by ssm.amazonaws.com, not by a person',
    },
    {
      case: 'a person starting an Automation runbook (not watched)',
      event: session((detail) => (detail['eventName'] = 'StartAutomationExecution')),
      reason:
        'ssm.amazonaws.com/StartAutomationExecution is not a touch: expected one of ssm.amazonaws.com/StartSession, ssm.amazonaws.com/SendCommand, ec2-instance-connect.amazonaws.com/SendSSHPublicKey',
    },
    {
      case: 'SendCommand naming nothing',
      event: command({ documentName: 'AWS-RunShellScript' }),
      reason: 'SendCommand names no instanceIds and no targets',
    },
    {
      case: 'SendCommand naming managed nodes only',
      event: command({ instanceIds: ['mi-0123456789abcdef0'] }),
      reason: 'SendCommand instanceIds ["mi-0123456789abcdef0"]: expected EC2 instance ids (i-...)',
    },
    {
      case: 'SendCommand to every instance of a resource group',
      event: command({ targets: [{ key: 'resource-groups:Name', values: ['production'] }] }),
      reason: 'SendCommand targets resource-groups:Name=production: the event does not say which instances those matched, so none can be tainted',
    },
  ])('ignores $case, naming what is wrong', ({ event, reason }) => {
    expect(parseTouch(event)).toEqual({ kind: 'ignored', reason });
  });

  it('takes the instance ids of SendCommand, once each, leaving out managed nodes and unresolvable targets', () => {
    const event = command({
      instanceIds: [WEB_1, 'mi-0123456789abcdef0', WEB_1, 'i-1234abcd'],
      targets: [
        { key: 'InstanceIds', values: [WEB_2, '*'] },
        { key: 'tag:Role', values: ['web'] },
      ],
    });
    expect(parseTouch(event)).toMatchObject({ kind: 'touch', instanceIds: [WEB_1, 'i-1234abcd', WEB_2] });
  });

  it('reads a Key=instanceids target in any case, as the CLI documents it', () => {
    expect(parseTouch(command({ targets: [{ key: 'instanceids', values: [WEB_2] }] }))).toMatchObject({ kind: 'touch', instanceIds: [WEB_2] });
  });

  it('accepts a null errorCode as success', () => {
    expect(parseTouch(session((detail) => (detail['errorCode'] = null)))).toMatchObject({ kind: 'touch', instanceIds: [WEB_1] });
  });

  it('falls back to principalId when there is no ARN (a caller from another account)', () => {
    const event = session((detail) => (detail['userIdentity'] = { type: 'AWSAccount', principalId: 'AIDA4EXAMPLEUSERID09', accountId: '210987654321' }));
    expect(parseTouch(event)).toMatchObject({ kind: 'touch', by: 'AIDA4EXAMPLEUSERID09' });
  });

  it('keeps the tag format intact: ; = and control characters are replaced, and the whole value fits in 256 characters', () => {
    const role = 'r'.repeat(300);
    const event = session(
      (detail) => (detail['userIdentity'] = { type: 'AssumedRole', arn: `arn:aws:sts::123456789012:assumed-role/${role}/carol;via=x\n@example.com` }),
    );
    const touch = parseTouch(event);
    if (touch.kind !== 'touch') throw new Error(touch.reason);
    const value = formatTaint(touch);
    expect(value).toHaveLength(256);
    expect(touch.by.startsWith('...')).toBe(true);
    expect(touch.by.endsWith('/carol_via_x_@example.com')).toBe(true);
    expect(value.split(';')).toHaveLength(3);
    expect(value.endsWith(';via=ssm-session')).toBe(true);
  });

  it('leaves a principal that fits untouched, however close to the limit', () => {
    const budget = 256 - formatTaint({ at: 0, by: '', via: 'ssm-session' }).length;
    const arn = `arn:aws:iam::123456789012:user/${'d'.repeat(budget - 'arn:aws:iam::123456789012:user/'.length)}`;
    expect(parseTouch(session((detail) => (detail['userIdentity'] = { type: 'IAMUser', arn })))).toMatchObject({ by: arn });
  });
});

describe('decideTaint', () => {
  const touch = parseTouch(fixture('ssm-start-session.json'));
  if (touch.kind !== 'touch') throw new Error(touch.reason);
  const instance = (overrides: Partial<TouchedInstance> = {}): TouchedInstance => ({
    id: WEB_1,
    group: 'web',
    groupTags: { ...OPTED_IN },
    tainted: undefined,
    ...overrides,
  });
  const taintAt = (at: number) => formatTaint({ at, by: 'arn:aws:iam::123456789012:user/erin', via: 'ssm-command' });
  const notOptedIn = (value: string) => ({ act: false, why: `group web is not opted in (phoenix:enabled=${JSON.stringify(value)}, expected "true")` });

  it.each([
    { case: 'an instance of an opted-in group', given: instance(), expected: { act: true, group: 'web' } },
    { case: 'an instance tainted by an earlier touch', given: instance({ tainted: taintAt(touch.at - 60_000) }), expected: { act: true, group: 'web' } },
    {
      case: 'an instance tainted by this very touch (a retried event)',
      given: instance({ tainted: formatTaint(touch) }),
      expected: { act: true, group: 'web' },
    },
    { case: 'an unreadable taint, overwritten', given: instance({ tainted: 'by hand' }), expected: { act: true, group: 'web' } },
    { case: 'an instance EC2 no longer knows', given: undefined, expected: { act: false, why: 'instance not found (terminated since the touch?)' } },
    { case: 'a standalone instance', given: instance({ group: undefined, groupTags: {} }), expected: { act: false, why: 'not in an Auto Scaling group' } },
    {
      case: 'a group without phoenix:enabled (or one that is gone)',
      given: instance({ groupTags: { team: 'payments' } }),
      expected: { act: false, why: 'group web is not opted in (phoenix:enabled=(unset), expected "true")' },
    },
    { case: 'a group with enabled=false', given: instance({ groupTags: { 'phoenix:enabled': 'false' } }), expected: notOptedIn('false') },
    { case: 'a dry-run group', given: instance({ groupTags: { 'phoenix:enabled': 'dry-run' } }), expected: notOptedIn('dry-run') },
    ...['True', 'TRUE', 'true ', ' true', 'true\n', ''].map((value) => ({
      case: `a group with enabled=${JSON.stringify(value)} (not exactly true)`,
      given: instance({ groupTags: { 'phoenix:enabled': value } }),
      expected: notOptedIn(value),
    })),
    {
      case: 'an instance tainted by a later touch (this event arrived late)',
      given: instance({ tainted: taintAt(touch.at + 60_000) }),
      expected: { act: false, why: 'already tainted by a later touch (2026-11-23T09:15:07.000Z by arn:aws:iam::123456789012:user/erin via ssm-command)' },
    },
  ])('$case', ({ given, expected }) => {
    expect(decideTaint(touch, given)).toEqual(expected);
  });

  describe('against the clock', () => {
    /** The event is handled ten minutes after the call. */
    const now = touch.at + 10 * MINUTE;

    it.each([
      { case: 'a later touch that is in the past', taintedAt: now - MINUTE },
      { case: 'a later touch ahead of the clock by no more than clocks drift', taintedAt: now + TRUSTED_CLOCK_SKEW },
    ])('keeps $case', ({ taintedAt }) => {
      expect(decideTaint(touch, instance({ tainted: taintAt(taintedAt) }), now)).toMatchObject({
        act: false,
        why: expect.stringContaining('already tainted by a later touch'),
      });
    });

    it.each([
      { case: 'just past the drift allowed', taintedAt: now + TRUSTED_CLOCK_SKEW + 1, shown: '2026-11-23T09:26:07.001Z' },
      { case: 'years ahead', taintedAt: Date.UTC(2099, 0, 1), shown: '2099-01-01T00:00:00.000Z' },
    ])('overwrites a taint dated ahead of the clock ($case) with the real touch, saying what went', ({ taintedAt, shown }) => {
      expect(decideTaint(touch, instance({ tainted: taintAt(taintedAt) }), now)).toEqual({
        act: true,
        group: 'web',
        overwrites: `a taint dated ${shown} by arn:aws:iam::123456789012:user/erin via ssm-command, ahead of the clock (2026-11-23T09:24:07.000Z)`,
      });
    });

    it('never overwrites a taint dated ahead in a group that is not opted in', () => {
      expect(decideTaint(touch, instance({ groupTags: { 'phoenix:enabled': 'true ' }, tainted: taintAt(Date.UTC(2099, 0, 1)) }), now)).toEqual(
        notOptedIn('true '),
      );
    });
  });
});

describe('believedTouch', () => {
  const touch = parseTouch(fixture('ssm-start-session.json'));
  if (touch.kind !== 'touch') throw new Error(touch.reason);

  it.each([
    { case: 'in the past', now: touch.at + MINUTE },
    { case: 'ahead of the clock by no more than clocks drift', now: touch.at - TRUSTED_CLOCK_SKEW },
  ])('keeps a touch dated $case', ({ now }) => {
    expect(believedTouch(touch, now)).toBe(touch);
  });

  it('dates a touch further ahead of the clock than clocks drift at now: it happened, but its time is not believed', () => {
    const now = touch.at - TRUSTED_CLOCK_SKEW - 1;
    expect(believedTouch(touch, now)).toEqual({ ...touch, at: now });
  });
});
