import { describe, expect, it } from 'vitest';
import { predictDeadline, setupOf, walk } from '../../../../functions/core/deadline/model.js';
import type { ScheduledRecycle } from '../../../../functions/core/deadline/notice.js';
import { NOTICE_HORIZON, scheduledRecycles } from '../../../../functions/core/deadline/notice.js';
import type { Decision } from '../../../../functions/core/decide/decision.js';
import { planTick } from '../../../../functions/core/decide/plan.js';
import type { Group, Millis } from '../../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../../functions/core/model.js';
import { NO_ACCOUNT_LIMITS, parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import { syntheticFleet } from '../../../bench/fleet.js';
import { group, instance, NOW, planInput, withTags } from '../../../support/fleet.js';

const TICK = 10 * MINUTE;
/** i-1 reaches max-age 7d three hours from NOW; the others are young. */
const web: Group = group({
  size: 4,
  instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + 3 * HOUR }), ...[2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - n * DAY }))],
});

function noticesAt(now: Millis, groups: readonly Group[], options: { decisions?: readonly Decision[]; accountLive?: boolean } = {}): ScheduledRecycle[] {
  const decisions = options.decisions ?? planTick(planInput({ groups, now }));
  return scheduledRecycles({ groups, records: [], decisions, now, tickInterval: TICK, limits: NO_ACCOUNT_LIMITS, accountLive: options.accountLive ?? true });
}

/** Every tick of the next `span`, with the notices each publishes. */
function ticksOver(span: Millis, groups: readonly Group[]): { at: Millis; notices: ScheduledRecycle[] }[] {
  return Array.from({ length: span / TICK }, (_, index) => NOW + index * TICK).map((at) => ({ at, notices: noticesAt(at, groups) }));
}

describe('advance notice of a replacement', () => {
  it('announces the start the deadline model expects once, at the tick where it first comes within the hour', () => {
    const policy = parseGroupPolicy(web.tags);
    const expected = policy.ok ? predictDeadline({ group: web, policy: policy.policy, now: NOW, tickInterval: TICK, records: [] })?.nextRecycles[0] : undefined;
    expect(expected).toMatchObject({ instanceId: 'i-1', rule: 'max-age' });
    const announced = ticksOver(4 * HOUR, [web]).filter((tick) => tick.notices.length > 0);
    expect(announced).toEqual([
      { at: (expected?.at ?? 0) - NOTICE_HORIZON, notices: [{ group: 'web', instanceId: 'i-1', rule: 'max-age', at: expected?.at }] },
    ]);
  });

  it('a start already less than an hour out when first expected is not announced (the horizon passed it)', () => {
    const soon = { ...web, instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + 20 * MINUTE }), ...web.instances.slice(1)] };
    expect(ticksOver(2 * HOUR, [soon]).flatMap((tick) => tick.notices)).toEqual([]);
  });

  it.each<{ case: string; groups: Group[]; accountLive?: boolean }>([
    { case: 'a dry-run group', groups: [withTags(web, { 'phoenix:enabled': 'dry-run' })] },
    { case: 'a quarantined group', groups: [withTags(web, { 'phoenix:quarantined': 'recovery failed' })] },
    { case: 'a group whose tags do not parse', groups: [withTags(web, { 'phoenix:budget': 'lots' })] },
    { case: 'a group at max size without max-surge', groups: [{ ...web, max: 4 }] },
    { case: 'a group without max-age', groups: [{ ...web, tags: { 'phoenix:enabled': 'true', 'phoenix:chaos': '3d' } }] },
    { case: 'an account off, in dry-run or blocked', groups: [web], accountLive: false },
  ])('$case: announced nothing', ({ groups, accountLive }) => {
    const all = Array.from({ length: (4 * HOUR) / TICK }, (_, index) => NOW + index * TICK).flatMap((at) =>
      noticesAt(at, groups, accountLive === undefined ? {} : { accountLive }),
    );
    expect(all).toEqual([]);
  });
});

describe('advance notice and the version breaker', () => {
  it('a group whose next launch is a blocked version is announced nothing: it waits for a person', () => {
    const versionBlocks = [{ key: 'lt-1:1', blockedAt: NOW - HOUR, why: 'its canary replacement in api failed to recover', trippedBy: 'api#1' }];
    const all = Array.from({ length: (4 * HOUR) / TICK }, (_, index) => NOW + index * TICK).flatMap((at) =>
      noticesAt(at, [web], { decisions: planTick(planInput({ groups: [web], now: at, versionBlocks })) }),
    );
    expect(all).toEqual([]);
  });
});

describe('the deadline walk stopped at the notice horizon', () => {
  it('gives the same starts before it as the whole 14-day walk, over 300 groups of the bench fleet at six ticks', () => {
    let compared = 0;
    for (const subject of syntheticFleet(300, 10)) {
      const parsed = parseGroupPolicy(subject.tags);
      if (!parsed.ok || parsed.policy.maxAge === undefined) throw new Error('the bench fleet parses');
      const { maxAge, budget, window } = parsed.policy;
      for (let tick = 0; tick < 6; tick += 1) {
        const now = NOW + tick * TICK;
        const input = { group: subject, policy: parsed.policy, now, tickInterval: TICK, records: [] };
        const soon = (at: Millis) => at <= now + NOTICE_HORIZON;
        const whole = (predictDeadline(input)?.nextRecycles ?? []).filter((planned) => soon(planned.at));
        const stopped = walk(setupOf(input), { maxAge, budget, window }, now + NOTICE_HORIZON + TICK).nextRecycles.filter((planned) => soon(planned.at));
        expect(stopped).toEqual(whole);
        compared += whole.length;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });
});
