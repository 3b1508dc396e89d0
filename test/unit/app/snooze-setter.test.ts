import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { noteSnoozeSetters } from '../../../functions/app/snooze-setter.js';
import { HOUR, MINUTE } from '../../../functions/core/model.js';
import type { SnoozeSetter } from '../../../functions/core/policy/snooze-setter.js';
import type { SnoozeSetterPort } from '../../../functions/core/ports.js';
import { RecordingLogger } from '../../support/fakes.js';

type Event = { detail: Record<string, unknown> & { requestParameters: { tags: Record<string, unknown>[] } } };
const fixture = (): Event => JSON.parse(readFileSync(new URL('../../events/autoscaling-create-or-update-tags-snooze.json', import.meta.url), 'utf8')) as Event;

const BOB = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_WebTeam_5c4d3e2f1a0b9c8d/bob@example.com';
const EVENT_ID = 'c41f7a92-3e5d-4b08-a6c1-9d2e8b7f0a35';
const SET_AT = Date.UTC(2026, 10, 25, 8, 31, 42);
const UNTIL = Date.UTC(2026, 10, 25, 17);

/** The ledger's setter write: keeps the earliest per group and time, as the conditional update does; `error` fails every write. */
class FakeSetters implements SnoozeSetterPort {
  readonly kept = new Map<string, SnoozeSetter>();
  error: Error | undefined;

  async noteSnoozeSetter(setter: SnoozeSetter): Promise<'noted' | 'earlier-kept'> {
    if (this.error !== undefined) throw this.error;
    const key = `${setter.group}@${setter.until}`;
    const earlier = this.kept.get(key);
    if (earlier !== undefined && earlier.at <= setter.at) return 'earlier-kept';
    this.kept.set(key, setter);
    return 'noted';
  }
}

function world(now = SET_AT + 5 * MINUTE) {
  return { setters: new FakeSetters(), logger: new RecordingLogger(), now: () => now };
}

describe('noteSnoozeSetters', () => {
  it('keeps who set the snooze and when, and logs it', async () => {
    const deps = world();
    const summary = await noteSnoozeSetters(deps, fixture());
    expect([...deps.setters.kept.values()]).toEqual([{ group: 'web', until: UNTIL, by: BOB, at: SET_AT, eventId: EVENT_ID }]);
    expect(summary).toEqual({ ignored: null, cloudTrailEventId: EVENT_ID, noted: ['web'], earlierKept: [], skipped: 0 });
    expect(deps.logger.lines).toEqual([
      {
        level: 'info',
        message: 'snooze setter noted',
        fields: { group: 'web', until: '2026-11-25T17:00:00.000Z', by: BOB, setAt: '2026-11-25T08:31:42.000Z', cloudTrailEventId: EVENT_ID },
      },
    ]);
  });

  it('a later record of the same value leaves the earlier setter, and says so', async () => {
    const deps = world();
    deps.setters.kept.set(`web@${UNTIL}`, { group: 'web', until: UNTIL, by: 'arn:aws:iam::123456789012:user/alice', at: SET_AT - HOUR, eventId: 'e-0' });
    const summary = await noteSnoozeSetters(deps, fixture());
    expect(summary).toMatchObject({ noted: [], earlierKept: ['web'] });
    expect(deps.setters.kept.get(`web@${UNTIL}`)?.by).toBe('arn:aws:iam::123456789012:user/alice');
    expect(deps.logger.lines.map((line) => line.message)).toEqual(['snooze setter not kept: an earlier one is']);
  });

  it('a call time ahead of the clock by more than the skew is dated now, with a warning', async () => {
    const now = SET_AT - 10 * MINUTE;
    const deps = world(now);
    await noteSnoozeSetters(deps, fixture());
    expect(deps.setters.kept.get(`web@${UNTIL}`)?.at).toBe(now);
    expect(deps.logger.lines[0]).toEqual({
      level: 'warn',
      message: 'snooze setter time ahead of the clock',
      fields: { group: 'web', eventTime: '2026-11-25T08:31:42.000Z', recordedAs: '2026-11-25T08:21:42.000Z', cloudTrailEventId: EVENT_ID },
    });
  });

  it('a malformed event logs one warning naming the field, writes nothing and returns normally', async () => {
    const deps = world();
    const event = fixture();
    event.detail['eventTime'] = 'soon';
    const summary = await noteSnoozeSetters(deps, event);
    expect(summary).toEqual({
      ignored: 'detail.eventTime is "soon": expected an ISO-8601 time',
      cloudTrailEventId: null,
      noted: [],
      earlierKept: [],
      skipped: 0,
    });
    expect(deps.setters.kept.size).toBe(0);
    expect(deps.logger.lines).toEqual([
      {
        level: 'warn',
        message: 'snooze setter ignored',
        fields: { reason: 'detail.eventTime is "soon": expected an ISO-8601 time', eventId: '6b2d8e41-0c3f-4a57-9e18-d4f7a2c91b03' },
      },
    ]);
  });

  it('a bad snooze value is one warning; the other groups of the call are still kept', async () => {
    const deps = world();
    const event = fixture();
    const [snooze] = event.detail.requestParameters.tags;
    event.detail.requestParameters.tags = [{ ...snooze, resourceId: 'api', value: 'next week' }, ...event.detail.requestParameters.tags];
    const summary = await noteSnoozeSetters(deps, event);
    expect(summary).toMatchObject({ noted: ['web'], skipped: 1 });
    expect(deps.logger.lines.filter((line) => line.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'snooze setter ignored',
        fields: {
          reason:
            'detail.requestParameters.tags[0].value is "next week" (group api): expected an ISO time with an offset, such as 2026-12-01T18:00:00Z or 2026-12-01T19:00:00+01:00, at most 24h ahead',
          cloudTrailEventId: EVENT_ID,
        },
      },
    ]);
  });

  it('a failed ledger write throws, so Lambda retries the event', async () => {
    const deps = world();
    deps.setters.error = new Error('ThrottlingException');
    await expect(noteSnoozeSetters(deps, fixture())).rejects.toThrow('ThrottlingException');
  });
});
