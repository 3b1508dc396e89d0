import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handleTouch } from '../../../functions/app/taint.js';
import { formatTaint } from '../../../functions/core/taint/taint.js';
import type { TouchedInstance } from '../../../functions/core/taint/touch.js';
import { TOUCHED_AT } from '../../support/clock.js';
import { FakeEvents, FakeInstances, RecordingLogger } from '../../support/fakes.js';
import { OPTED_IN } from '../../support/fleet.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../events/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const BOB = 'arn:aws:iam::123456789012:user/bob';
const WEB_1 = 'i-0a1b2c3d4e5f60718';
const WEB_2 = 'i-0f9e8d7c6b5a40312';
/** ssm-send-command.json: bob, Run Command on WEB_1 and WEB_2, at this time. */
const COMMAND_EVENT_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c52';
const COMMAND_TAINT = formatTaint({ at: TOUCHED_AT, by: BOB, via: 'ssm-command' });

const optedIn = (id: string, overrides: Partial<TouchedInstance> = {}): TouchedInstance => ({
  id,
  group: 'web',
  groupTags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
  tainted: undefined,
  ...overrides,
});

/** The tainter's clock: the event is handled ten minutes after the call (CloudTrail delivers within minutes). */
const HANDLED_AT = TOUCHED_AT + 10 * 60_000;

function world(instances: TouchedInstance[], now = HANDLED_AT) {
  return { instances: new FakeInstances(instances), events: new FakeEvents(), logger: new RecordingLogger(), now: () => now, ownerTagKey: 'team' };
}

describe('handleTouch', () => {
  it('tags every touched instance of an opted-in group in one call and emits one Instance Tainted event each', async () => {
    // One group owned by payments, the other without the owner tag: its event says null.
    const deps = world([optedIn(WEB_1, { groupTags: { ...OPTED_IN, team: 'payments' } }), optedIn(WEB_2)]);
    const summary = await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.calls).toEqual([`describeInstances ${WEB_1},${WEB_2}`, `tagTainted ${WEB_1},${WEB_2}`]);
    expect(deps.instances.tags).toEqual([{ instanceIds: [WEB_1, WEB_2], value: COMMAND_TAINT }]);
    expect(COMMAND_TAINT).toBe(`at=2026-11-23T09:20:45.000Z;by=${BOB};via=ssm-command`);
    expect(deps.events.published).toEqual(
      [WEB_1, WEB_2].map((instanceId) => ({
        detailType: 'Instance Tainted',
        time: '2026-11-23T09:20:45.000Z',
        detail: {
          group: 'web',
          instanceId,
          by: BOB,
          via: 'ssm-command',
          touchedAt: '2026-11-23T09:20:45.000Z',
          cloudTrailEventId: COMMAND_EVENT_ID,
          owner: instanceId === WEB_1 ? 'payments' : null,
        },
      })),
    );
    expect(summary).toEqual({ ignored: null, cloudTrailEventId: COMMAND_EVENT_ID, tainted: [WEB_1, WEB_2], skipped: 0 });
    expect(deps.logger.lines.filter((line) => line.message === 'tainted').map((line) => line.fields['instance'])).toEqual([WEB_1, WEB_2]);
  });

  it.each([
    {
      case: 'a group without phoenix:enabled',
      instance: optedIn(WEB_2, { group: 'payments', groupTags: { team: 'payments' } }),
      why: 'group payments is not opted in (phoenix:enabled=(unset), expected "true")',
    },
    {
      case: 'a group with phoenix:enabled=false',
      instance: optedIn(WEB_2, { groupTags: { 'phoenix:enabled': 'false' } }),
      why: 'group web is not opted in (phoenix:enabled="false", expected "true")',
    },
    { case: 'a standalone instance', instance: optedIn(WEB_2, { group: undefined, groupTags: {} }), why: 'not in an Auto Scaling group' },
    {
      case: 'an instance already tainted by a later touch (this event arrived late)',
      instance: optedIn(WEB_2, { tainted: formatTaint({ at: TOUCHED_AT + 5 * 60_000, by: 'arn:aws:iam::123456789012:user/erin', via: 'ssm-session' }) }),
      why: 'already tainted by a later touch (2026-11-23T09:25:45.000Z by arn:aws:iam::123456789012:user/erin via ssm-session)',
    },
  ])('leaves alone $case, says why, and tags only the opted-in one', async ({ instance, why }) => {
    const deps = world([optedIn(WEB_1), instance]);
    const summary = await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.tags).toEqual([{ instanceIds: [WEB_1], value: COMMAND_TAINT }]);
    expect(deps.events.published.map((event) => event.detail)).toMatchObject([{ instanceId: WEB_1 }]);
    expect(summary).toMatchObject({ tainted: [WEB_1], skipped: 1 });
    expect(deps.logger.lines.filter((line) => line.message === 'not tainting')).toEqual([
      {
        level: 'info',
        message: 'not tainting',
        fields: { instance: WEB_2, why, by: BOB, via: 'ssm-command', touchedAt: '2026-11-23T09:20:45.000Z', cloudTrailEventId: COMMAND_EVENT_ID },
      },
    ]);
  });

  it('writes nothing and emits nothing when no touched instance qualifies; an instance EC2 no longer knows is logged and skipped', async () => {
    const deps = world([optedIn(WEB_2, { groupTags: { 'phoenix:enabled': 'dry-run' } })]);
    const summary = await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.calls).toEqual([`describeInstances ${WEB_1},${WEB_2}`]);
    expect(deps.events.published).toEqual([]);
    expect(summary).toEqual({ ignored: null, cloudTrailEventId: COMMAND_EVENT_ID, tainted: [], skipped: 2 });
    expect(deps.logger.lines.map((line) => [line.fields['instance'], line.fields['why']])).toEqual([
      [WEB_1, 'instance not found (terminated since the touch?)'],
      [WEB_2, 'group web is not opted in (phoenix:enabled="dry-run", expected "true")'],
    ]);
  });

  it('re-tags an instance whose taint is older, moving the grace period forward', async () => {
    const earlier = formatTaint({ at: TOUCHED_AT - 3_600_000, by: 'arn:aws:iam::123456789012:user/erin', via: 'ssm-session' });
    const deps = world([optedIn(WEB_1, { tainted: earlier }), optedIn(WEB_2)]);
    await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.tags).toEqual([{ instanceIds: [WEB_1, WEB_2], value: COMMAND_TAINT }]);
  });

  it('tags the others when an instance is gone between the read and the write, and emits no event for the gone one', async () => {
    const deps = world([optedIn(WEB_1), optedIn(WEB_2)]);
    deps.instances.goneBeforeTagging = [WEB_1];
    const summary = await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.tags).toEqual([{ instanceIds: [WEB_2], value: COMMAND_TAINT }]);
    expect(deps.events.published.map((event) => event.detail)).toMatchObject([{ instanceId: WEB_2 }]);
    expect(summary).toEqual({ ignored: null, cloudTrailEventId: COMMAND_EVENT_ID, tainted: [WEB_2], skipped: 1 });
    expect(deps.logger.lines.map((line) => [line.message, line.fields['instance'], line.fields['why']])).toEqual([
      ['not tainting', WEB_1, 'instance gone before its tag was written (terminated since the touch?)'],
      ['tainted', WEB_2, undefined],
    ]);
  });

  it('overwrites a taint dated ahead of the clock with the real touch, and warns about what it replaced', async () => {
    const planted = formatTaint({ at: Date.UTC(2099, 0, 1), by: 'arn:aws:iam::123456789012:user/mallory', via: 'ssm-session' });
    const deps = world([optedIn(WEB_1, { tainted: planted }), optedIn(WEB_2)]);
    const summary = await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.tags).toEqual([{ instanceIds: [WEB_1, WEB_2], value: COMMAND_TAINT }]);
    expect(summary).toMatchObject({ tainted: [WEB_1, WEB_2], skipped: 0 });
    expect(deps.logger.lines.filter((line) => line.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'future-dated taint overwritten',
        fields: {
          instance: WEB_1,
          overwrites:
            'a taint dated 2099-01-01T00:00:00.000Z by arn:aws:iam::123456789012:user/mallory via ssm-session, ahead of the clock (2026-11-23T09:30:45.000Z)',
          by: BOB,
          via: 'ssm-command',
          touchedAt: '2026-11-23T09:20:45.000Z',
          cloudTrailEventId: COMMAND_EVENT_ID,
        },
      },
    ]);
  });

  it('dates a touch whose event time is ahead of the clock at the clock, and warns', async () => {
    const now = TOUCHED_AT - 10 * 60_000;
    const deps = world([optedIn(WEB_1), optedIn(WEB_2)], now);
    await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.tags).toEqual([{ instanceIds: [WEB_1, WEB_2], value: formatTaint({ at: now, by: BOB, via: 'ssm-command' }) }]);
    const recorded = { time: '2026-11-23T09:10:45.000Z', detail: { touchedAt: '2026-11-23T09:10:45.000Z' } };
    expect(deps.events.published).toMatchObject([recorded, recorded]);
    expect(deps.logger.lines.filter((line) => line.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'touch time ahead of the clock',
        fields: { eventTime: '2026-11-23T09:20:45.000Z', recordedAs: '2026-11-23T09:10:45.000Z', cloudTrailEventId: COMMAND_EVENT_ID },
      },
    ]);
  });

  it.each([
    {
      case: 'malformed (no detail)',
      file: 'malformed-missing-detail.json',
      reason: 'event.detail is missing: expected the CloudTrail record object',
      eventId: 'ad1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2fd7',
    },
    {
      case: 'a failed call',
      file: 'ssm-start-session-access-denied.json',
      reason: expect.stringContaining('failed with AccessDenied'),
      eventId: 'd04b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c0a',
    },
    {
      case: 'targets by tag',
      file: 'ssm-send-command-targets-by-tag.json',
      reason: expect.stringContaining('tag:Role=web'),
      eventId: '7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9da4',
    },
  ])('logs one warning for an event it ignores ($case), returns normally, and calls nothing', async ({ file, reason, eventId }) => {
    const deps = world([optedIn(WEB_1)]);
    const summary = await handleTouch(deps, fixture(file));
    expect(deps.instances.calls).toEqual([]);
    expect(deps.events.published).toEqual([]);
    expect(deps.logger.lines).toEqual([{ level: 'warn', message: 'touch ignored', fields: { reason, eventId } }]);
    expect(summary).toEqual({ ignored: reason, cloudTrailEventId: null, tainted: [], skipped: 0 });
  });

  it('returns normally for input that is not an event at all', async () => {
    const deps = world([]);
    await expect(handleTouch(deps, undefined)).resolves.toMatchObject({ ignored: 'event is missing: expected an EventBridge event object' });
    expect(deps.logger.lines).toEqual([
      { level: 'warn', message: 'touch ignored', fields: { reason: 'event is missing: expected an EventBridge event object', eventId: null } },
    ]);
  });

  it.each([
    { case: 'reading the instances fails (throttled): nothing is written', fail: 'describe', calls: [`describeInstances ${WEB_1},${WEB_2}`] },
    {
      case: 'the tag write fails (throttled): no event claims a taint that is not there',
      fail: 'tag',
      calls: [`describeInstances ${WEB_1},${WEB_2}`, `tagTainted ${WEB_1},${WEB_2}`],
    },
  ])('throws when $case, so Lambda retries the event', async ({ fail, calls }) => {
    const deps = world([optedIn(WEB_1), optedIn(WEB_2)]);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    if (fail === 'describe') deps.instances.failDescribe = throttled;
    else deps.instances.failTagging = throttled;
    await expect(handleTouch(deps, fixture('ssm-send-command.json'))).rejects.toBe(throttled);
    expect(deps.instances.calls).toEqual(calls);
    expect(deps.events.published).toEqual([]);
  });

  it('throws when the event cannot be published, after the tag is written, so a retry publishes it', async () => {
    const deps = world([optedIn(WEB_1), optedIn(WEB_2)]);
    deps.events.error = new Error('PutEvents failed');
    await expect(handleTouch(deps, fixture('ssm-send-command.json'))).rejects.toThrow('PutEvents failed');
    expect(deps.instances.tags).toHaveLength(1);
    deps.events.error = undefined;
    await handleTouch(deps, fixture('ssm-send-command.json'));
    expect(deps.instances.tags).toEqual([
      { instanceIds: [WEB_1, WEB_2], value: COMMAND_TAINT },
      { instanceIds: [WEB_1, WEB_2], value: COMMAND_TAINT },
    ]);
    expect(deps.events.published).toHaveLength(2);
  });
});
