import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../../../functions/core/model.js';
import type { SnoozeMark } from '../../../../functions/core/policy/snooze.js';
import { markToWrite, parseSnoozeUntil, snoozeState } from '../../../../functions/core/policy/snooze.js';
import { NOW } from '../../../support/fleet.js';

const iso = (at: number) => new Date(at).toISOString();
const tag = (at: number) => ({ until: at, text: iso(at) });
const mark = (until: number, seenAt: number, group = 'web'): SnoozeMark => ({ group, until, seenAt });
const state = (until: number | undefined, marks: readonly SnoozeMark[] = [], maxPerWeek = 3) =>
  snoozeState({ tag: until === undefined ? undefined : tag(until), group: 'web', now: NOW, marks, maxPerWeek });

describe('phoenix:snooze-until values', () => {
  it.each([
    { value: '2026-12-01T18:00:00Z', at: Date.UTC(2026, 11, 1, 18) },
    { value: '2026-12-01T19:00:00+01:00', at: Date.UTC(2026, 11, 1, 18) },
    { value: '2026-12-01T13:00-05:00', at: Date.UTC(2026, 11, 1, 18) },
    { value: '2026-12-01T18:00:00.250Z', at: Date.UTC(2026, 11, 1, 18) + 250 },
  ])('reads $value', ({ value, at }) => {
    expect(parseSnoozeUntil(value)).toEqual({ until: at, text: value });
  });

  it.each(['2026-12-01T18:00:00', '2026-12-01 18:00Z', 'tomorrow', '18:00', '2026-13-01T18:00:00Z', ' 2026-12-01T18:00:00Z', '1733076000000'])(
    'refuses %j: an ISO time needs its offset',
    (value) => {
      expect(parseSnoozeUntil(value)).toBeUndefined();
    },
  );
});

describe('what a snooze means now', () => {
  it('holds a value up to a day ahead, to be marked as first seen now', () => {
    const result = state(NOW + 6 * HOUR);
    expect(result).toMatchObject({ kind: 'held', until: NOW + 6 * HOUR, recorded: false });
    expect(markToWrite(result)).toEqual(mark(NOW + 6 * HOUR, NOW));
  });

  it('holds a value already marked, and writes nothing again', () => {
    const result = state(NOW + 6 * HOUR, [mark(NOW + 6 * HOUR, NOW - HOUR)]);
    expect(result).toMatchObject({ kind: 'held', recorded: true });
    expect(markToWrite(result)).toBeUndefined();
  });

  it('allows a clock skew past the day: an owner whose clock runs ahead still gets 24h', () => {
    expect(state(NOW + DAY + MINUTE).kind).toBe('held');
  });

  it('is a bad tag more than a day ahead, naming the value and why', () => {
    const result = state(NOW + 30 * HOUR);
    expect(result.kind).toBe('bad');
    if (result.kind === 'bad') expect(result.error.message).toContain(`phoenix:snooze-until="${iso(NOW + 30 * HOUR)}": expected an ISO time`);
    if (result.kind === 'bad') expect(result.error.message).toContain('30h ahead when first seen');
    // Marked too, so that once within a day it is still judged from its first sighting.
    expect(markToWrite(result)).toEqual(mark(NOW + 30 * HOUR, NOW));
  });

  it('stays a bad tag when a value first seen two days ahead is now within a day: never snoozed longer', () => {
    expect(state(NOW + 20 * HOUR, [mark(NOW + 20 * HOUR, NOW - 28 * HOUR)]).kind).toBe('bad');
  });

  it('is over (no snooze, no tag problem) when the time has passed by less than a day', () => {
    expect(state(NOW - HOUR)).toEqual({ kind: 'none' });
    expect(state(NOW)).toEqual({ kind: 'none' });
  });

  it('is a bad tag once it ended more than a day ago: a forgotten tag', () => {
    const result = state(NOW - DAY - MINUTE);
    expect(result.kind).toBe('bad');
    if (result.kind === 'bad') expect(result.error.message).toContain('ended more than a day ago');
    expect(markToWrite(result)).toBeUndefined();
  });

  it('refuses a snooze beyond the weekly limit, and the group recycles as usual', () => {
    const week = [mark(NOW - 5 * DAY, NOW - 5 * DAY - HOUR), mark(NOW - 3 * DAY, NOW - 3 * DAY - HOUR), mark(NOW - DAY, NOW - DAY - HOUR)];
    const result = state(NOW + HOUR, week);
    expect(result).toMatchObject({ kind: 'refused', why: expect.stringContaining('3 snoozes per group in any week (deploy parameter maxSnoozesPerWeek)') });
    // Marked all the same, so overlapping ticks agree on its place.
    expect(markToWrite(result)).toEqual(mark(NOW + HOUR, NOW));
  });

  it('counts only the last week, only this group, and only snoozes of a day at most', () => {
    const marks = [
      mark(NOW - 7 * DAY - HOUR, NOW - 8 * DAY),
      mark(NOW - 3 * DAY, NOW - 3 * DAY - HOUR, 'api'),
      mark(NOW - 2 * DAY, NOW - 4 * DAY),
      mark(NOW - DAY, NOW - DAY - HOUR),
      mark(NOW - 12 * HOUR, NOW - 14 * HOUR),
    ];
    expect(state(NOW + HOUR, marks).kind).toBe('held');
  });

  it('agrees across overlapping ticks: of marks beyond the limit, the earliest seen hold', () => {
    const marks = [
      mark(NOW - 3 * DAY, NOW - 3 * DAY - HOUR),
      mark(NOW - DAY, NOW - DAY - HOUR),
      mark(NOW + 2 * HOUR, NOW - MINUTE),
      mark(NOW + HOUR, NOW - MINUTE),
    ];
    // Seen at the same moment, the earlier time goes first.
    expect(state(NOW + HOUR, marks).kind).toBe('held');
    expect(state(NOW + 2 * HOUR, marks).kind).toBe('refused');
  });

  it('allows no snooze at all with a limit of 0', () => {
    expect(state(NOW + HOUR, [], 0).kind).toBe('refused');
  });

  it('is nothing without the tag', () => {
    expect(state(undefined)).toEqual({ kind: 'none' });
  });
});
