import { describe, expect, it } from 'vitest';
import { explainDeadline } from '../../../../functions/core/deadline/explain.js';
import type { DeadlineInput } from '../../../../functions/core/deadline/model.js';
import { predictDeadline, typicalReplacementTime } from '../../../../functions/core/deadline/model.js';
import type { Group, Millis } from '../../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../../functions/core/model.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import { group, instance, NOW, OPTED_IN, record } from '../../../support/fleet.js';

const TICK = 10 * MINUTE;
const utc = (iso: string): Millis => Date.parse(`${iso}Z`);

function input(subject: Group, overrides: Partial<DeadlineInput> = {}): DeadlineInput {
  const parsed = parseGroupPolicy(subject.tags);
  if (!parsed.ok) throw new Error(`fixture tags must parse: ${parsed.errors.map((error) => error.message).join('; ')}`);
  return { group: subject, policy: parsed.policy, now: NOW, tickInterval: TICK, records: [], ...overrides };
}

/** `size` instances launched at the same instant, each reaching max-age 7d at `deadline`. */
function together(size: number, deadline: Millis, tags: Record<string, string>): Group {
  const instances = Array.from({ length: size }, (_, index) => instance({ id: `i-${index + 1}`, launchedAt: deadline - 7 * DAY }));
  return group({ size, instances, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', ...tags } });
}

describe('a budget that does not bind', () => {
  // Four instances aged 1 to 4 days, max-age 7d, budget 1/hour: deadlines a day apart, three to six days ahead.
  const deadline = predictDeadline(input(group()));

  it('is feasible, with no breach and no age debt', () => {
    expect(deadline).toMatchObject({ feasible: true, firstBreachAt: undefined, ageDebtHours: 0 });
  });

  it('plans each instance one slot (the 1-hour budget spacing) before its max-age, oldest first', () => {
    expect(deadline?.nextRecycles).toEqual([
      { instanceId: 'i-1', at: NOW + 3 * DAY - HOUR, rule: 'max-age' },
      { instanceId: 'i-2', at: NOW + 4 * DAY - HOUR, rule: 'max-age' },
      { instanceId: 'i-3', at: NOW + 5 * DAY - HOUR, rule: 'max-age' },
      { instanceId: 'i-4', at: NOW + 6 * DAY - HOUR, rule: 'max-age' },
    ]);
  });

  it('waits for the budget spent by a termination half an hour ago', () => {
    const due = group({ instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + 30 * MINUTE })], size: 1 });
    const spent = predictDeadline(input(due, { records: [record({ terminatedAt: NOW - 30 * MINUTE, instanceId: 'i-0' })] }));
    expect(spent?.nextRecycles[0]).toEqual({ instanceId: 'i-1', at: NOW + 30 * MINUTE, rule: 'max-age' });
  });

  it('counts minutes past max-age within one tick as debt, not as a breach', () => {
    // Due 20 minutes from now: started now, a surge terminates it 30 minutes in, 10 minutes (one tick) late.
    const close = group({ instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + 20 * MINUTE })], size: 1 });
    expect(predictDeadline(input(close))).toMatchObject({ feasible: true, firstBreachAt: undefined, ageDebtHours: 0.2 });
    const later = group({ instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + 19 * MINUTE })], size: 1 });
    expect(predictDeadline(input(later))).toMatchObject({ feasible: false, firstBreachAt: NOW + 19 * MINUTE });
  });

  it('has nothing to say for a group without max-age', () => {
    expect(predictDeadline(input(group({ tags: OPTED_IN })))).toBeUndefined();
  });
});

describe('a budget that binds', () => {
  // Ten instances launched together reach max-age 7d in two hours. Budget 1/hour counts at termination,
  // which a surge reaches half an hour (the replacement estimate, 3 ticks) after its start: starts at
  // now, +1h30, +3h, ... terminate at +30m, +2h, +3h30: the third and later pass max-age.
  const subject = together(10, NOW + 2 * HOUR, { 'phoenix:budget': '1/hour' });
  const verdict = explainDeadline(input(subject), { suggest: true });

  it('breaches at the deadline of the third instance', () => {
    expect(verdict?.deadline).toMatchObject({ feasible: false, firstBreachAt: NOW + 2 * HOUR, breachInstanceId: 'i-3' });
  });

  it('sums the age debt: instance k terminates 1.5(k-1) + 0.5 hours from now, 1.5k - 3 hours late, for k = 3..10', () => {
    expect(verdict?.deadline.ageDebtHours).toBe(54);
  });

  it('says the long-run pace would do but the instances come due together', () => {
    expect(verdict?.why).toBe('budget 1/hour retires 2 of the 10 instances reaching max-age 7d by then');
  });

  it('names one replacement at a time as the pace when the budget allows more', () => {
    const generous = explainDeadline(input(together(10, NOW + 2 * HOUR, { 'phoenix:budget': '10/hour' })), { suggest: false });
    expect(generous?.why).toBe('one replacement at a time (30m each) retires 4 of the 10 instances reaching max-age 7d by then');
  });

  it('finds no budget that fixes it: one replacement at a time cannot retire ten in two hours', () => {
    expect(verdict?.fixes.some((fix) => fix.startsWith('budget'))).toBe(false);
  });

  it('with min-healthy below 100 terminates at the start, so the budget frees an hour after each start', () => {
    const dip = predictDeadline(input(together(10, NOW + 2 * HOUR, { 'phoenix:budget': '1/hour', 'phoenix:min-healthy': '50' })));
    // Starts (and terminations) at now, +1h, +2h, +3h: the fourth is the first past max-age.
    expect(dip).toMatchObject({ firstBreachAt: NOW + 2 * HOUR, breachInstanceId: 'i-4' });
  });
});

describe('a pace that cannot keep up', () => {
  // Twenty instances a third of a day apart in age, max-age 7d, budget 1/day: max-age needs about 2.9 a day.
  const instances = Array.from({ length: 20 }, (_, index) => instance({ id: `i-${index + 1}`, launchedAt: NOW - (index * 7 * DAY) / 20 - HOUR }));
  const subject = group({ size: 20, instances, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:budget': '1/day', 'phoenix:min-healthy': '90' } });
  const verdict = explainDeadline(input(subject), { suggest: true });

  it('is infeasible and names the rate', () => {
    expect(verdict?.deadline.feasible).toBe(false);
    expect(verdict?.why).toBe('budget 1/day retires 1 of 20 instances a day; max-age 7d needs 2.9/day');
  });

  it('suggests the smallest budget and max-age that keep up', () => {
    expect(verdict?.fixes).toEqual(['budget 3/day', 'max-age 20d']);
  });
});

describe('a window crossing midnight', () => {
  // One instance reaching max-age 7d on Wednesday noon; the window opens only Saturday 22:00 to Sunday 02:00.
  const subject = group({
    size: 1,
    instances: [instance({ id: 'i-1', launchedAt: NOW + 2 * DAY - 7 * DAY })],
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:window': 'Sat 22:00-02:00 UTC' },
  });
  const verdict = explainDeadline(input(subject), { suggest: true });

  it('recycles at the next opening, Saturday 22:00, and breaches at the deadline before it', () => {
    expect(verdict?.deadline.nextRecycles[0]).toEqual({ instanceId: 'i-1', at: utc('2026-11-28T22:00'), rule: 'max-age' });
    expect(verdict?.deadline.firstBreachAt).toBe(utc('2026-11-25T12:00'));
    // Terminated at 22:30 Saturday (a surge takes the replacement estimate): 3 days 10.5 hours late.
    expect(verdict?.deadline.ageDebtHours).toBe(82.5);
  });

  it('says the window is closed when the instance reaches max-age', () => {
    expect(verdict?.why).toBe('the window is closed then, and window 4h/week with budget 1/hour retires 0 of the 1 instance reaching max-age 7d by then');
  });

  it('is fixed by dropping the window, or by a max-age that reaches past the opening', () => {
    expect(verdict?.fixes).toEqual(['no window', 'max-age 11d']);
  });

  it('counts starts across midnight: 22:00, 23:30 and 01:00 fit a 4-hour opening with budget 1/hour', () => {
    // Ten instances with max-age 1d: always something due, so the count is the window's own.
    const instances = Array.from({ length: 10 }, (_, index) => instance({ id: `i-${index + 1}`, launchedAt: NOW - HOUR - index * MINUTE }));
    const busy = group({ size: 10, instances, tags: { ...subject.tags, 'phoenix:max-age': '1d' } });
    expect(predictDeadline(input(busy))?.rate).toMatchObject({ perWeek: 3, openPerWeek: 4 * HOUR });
  });
});

describe('DST weeks (window Sun 01:30-03:30 Europe/Berlin, budget 1/hour, min-healthy 0)', () => {
  // Many instances with max-age 1d, so something is always due and the pace is the window's alone.
  const tags = { ...OPTED_IN, 'phoenix:max-age': '1d', 'phoenix:window': 'Sun 01:30-03:30 Europe/Berlin', 'phoenix:min-healthy': '0' };
  it.each([
    { case: 'an ordinary week: two hours open, starts at the opening and an hour later', now: utc('2026-11-23T12:00'), perWeek: 2, open: 2 * HOUR },
    { case: 'spring forward: one hour open, one start', now: utc('2026-03-23T12:00'), perWeek: 1, open: HOUR },
    { case: 'fall back: three hours open, three starts', now: utc('2026-10-19T12:00'), perWeek: 3, open: 3 * HOUR },
  ])('$case', ({ now, perWeek, open }) => {
    const instances = Array.from({ length: 10 }, (_, index) => instance({ id: `i-${index + 1}`, launchedAt: now - HOUR - index * MINUTE }));
    const deadline = predictDeadline(input(group({ size: 10, instances, tags }), { now }));
    expect(deadline?.rate).toMatchObject({ perWeek, openPerWeek: open });
  });

  it('plans the spring Sunday recycle at the opening in UTC (00:30, CET)', () => {
    const now = utc('2026-03-23T12:00');
    const instances = [instance({ id: 'i-1', launchedAt: now - HOUR })];
    const deadline = predictDeadline(input(group({ size: 1, instances, tags }), { now }));
    expect(deadline?.nextRecycles[0]).toEqual({ instanceId: 'i-1', at: utc('2026-03-29T00:30'), rule: 'max-age' });
  });
});

describe('other rules come first', () => {
  it('a stale instance is planned now, before the oldest reaches max-age', () => {
    const stale = group({
      instances: [
        instance({ id: 'i-old', launchedAt: NOW - 6 * DAY }),
        instance({ id: 'i-stale', launchedAt: NOW - DAY, launchSource: { kind: 'template', id: 'lt-1', version: '0' } }),
      ],
      size: 2,
    });
    expect(predictDeadline(input(stale))?.nextRecycles.slice(0, 2)).toEqual([
      { instanceId: 'i-stale', at: NOW, rule: 'stale-config' },
      { instanceId: 'i-old', at: NOW + DAY - HOUR, rule: 'max-age' },
    ]);
  });

  it('a tainted instance is planned when its grace ends, and each instance only once', () => {
    const touched = group({
      instances: [
        instance({ id: 'i-old', launchedAt: NOW - 6 * DAY, launchSource: { kind: 'template', id: 'lt-1', version: '0' } }),
        instance({
          id: 'i-touched',
          launchedAt: NOW - DAY,
          tags: { 'phoenix:tainted': `by=alice;via=ssm-session;at=${new Date(NOW - 15 * MINUTE).toISOString()}` },
        }),
      ],
      size: 2,
    });
    expect(predictDeadline(input(touched))?.nextRecycles).toEqual([
      { instanceId: 'i-old', at: NOW, rule: 'stale-config' },
      // Grace ends in 45 minutes, but the stale one's termination (30 minutes in) spends budget 1/hour until 90.
      { instanceId: 'i-touched', at: NOW + 90 * MINUTE, rule: 'tainted' },
    ]);
  });

  it('exempt and protected instances are left out: no rule may pick them', () => {
    const kept = group({
      instances: [instance({ id: 'i-exempt', launchedAt: NOW - 30 * DAY, tags: { 'phoenix:exempt': 'true' } }), instance({ id: 'i-1', launchedAt: NOW - DAY })],
      size: 2,
    });
    expect(predictDeadline(input(kept))).toMatchObject({ feasible: true, ageDebtHours: 0, rate: { instances: 1 } });
  });

  it('a replacement in flight occupies the group and its budget until it is done', () => {
    const busy = group({
      instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + HOUR }), instance({ id: 'i-2', launchedAt: NOW - 7 * DAY + HOUR })],
      size: 2,
    });
    const open = record({ instanceId: 'i-1', phase: 'surging', startedAt: NOW - 10 * MINUTE, terminatedAt: undefined, closedAt: undefined });
    // Done 20 minutes from now, terminated then; the budget frees an hour later.
    expect(predictDeadline(input(busy, { records: [open] }))?.nextRecycles).toEqual([{ instanceId: 'i-2', at: NOW + 80 * MINUTE, rule: 'max-age' }]);
  });
});

describe('typicalReplacementTime', () => {
  it('is the median from start to verification of verified live replacements', () => {
    const records = [
      record({ id: 'a', startedAt: NOW - 10 * MINUTE, closedAt: NOW - 6 * MINUTE }),
      record({ id: 'b', startedAt: NOW - 20 * MINUTE, closedAt: NOW - 15 * MINUTE }),
      record({ id: 'c', startedAt: NOW - 40 * MINUTE, closedAt: NOW - 10 * MINUTE }),
      record({ id: 'd', mode: 'dry-run', phase: 'dry-run', startedAt: NOW - HOUR, closedAt: NOW }),
      record({ id: 'e', phase: 'failed', startedAt: NOW - HOUR, closedAt: NOW }),
    ];
    expect(typicalReplacementTime(records)).toBe(5 * MINUTE);
  });

  it('is unknown without a verified replacement', () => {
    expect(typicalReplacementTime([])).toBeUndefined();
  });
});
