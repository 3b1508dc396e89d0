import { describe, expect, it } from 'vitest';
import { globalBlock, parseBlackouts } from '../../../../functions/core/policy/global-gate.js';
import { formatTaint, parseTaint } from '../../../../functions/core/taint/taint.js';

describe('global gate', () => {
  const now = Date.UTC(2026, 11, 24, 10);
  const blackouts = parseBlackouts('2026-12-24, 2026-12-28..2027-01-01');
  if (!blackouts.ok) throw new Error('fixture must parse');

  it.each([
    { case: 'live, no freeze, no alarm: go', mode: 'live' as const, at: Date.UTC(2026, 11, 23, 23, 59), alarms: [], reason: undefined },
    { case: 'off', mode: 'off' as const, at: now, alarms: [], reason: 'mode-off' },
    { case: 'inside a single-day blackout', mode: 'live' as const, at: now, alarms: [], reason: 'blackout' },
    { case: 'last day of a range is still frozen', mode: 'live' as const, at: Date.UTC(2027, 0, 1, 23, 59), alarms: [], reason: 'blackout' },
    { case: 'the day after a range is not', mode: 'live' as const, at: Date.UTC(2027, 0, 2), alarms: [], reason: undefined },
    { case: 'a stop alarm', mode: 'dry-run' as const, at: Date.UTC(2026, 11, 26), alarms: ['api-5xx'], reason: 'stop-alarm' },
  ])('$case', ({ mode, at, alarms, reason }) => {
    expect(globalBlock({ mode, now: at, blackouts: blackouts.blackouts, alarmsInAlarm: alarms })?.reason).toBe(reason);
  });

  it.each([
    { case: 'not a date', text: 'christmas', entry: 'christmas' },
    { case: 'impossible date', text: '2026-02-30', entry: '2026-02-30' },
    { case: 'range backwards', text: '2026-12-31..2026-12-24', entry: '2026-12-31..2026-12-24' },
    { case: 'three dots', text: '2026-12-24...2026-12-25', entry: '2026-12-24...2026-12-25' },
  ])('rejects $case, naming the entry', ({ text, entry }) => {
    expect(parseBlackouts(text)).toEqual({ ok: false, entry, expected: expect.stringContaining('YYYY-MM-DD') });
  });

  it('an empty list is no blackout', () => {
    expect(parseBlackouts(' ')).toEqual({ ok: true, blackouts: [] });
  });
});

describe('taint tag', () => {
  it('round-trips who, when and how', () => {
    const taint = { at: Date.UTC(2026, 10, 23, 8, 30), by: 'arn:aws:sts::1:assumed-role/dev/alice', via: 'ssm-session' };
    expect(parseTaint(formatTaint(taint))).toEqual(taint);
  });

  it.each(['', 'yes', 'at=yesterday', 'by=alice;via=ssm'])('"%s" has no readable time', (value) => {
    expect(parseTaint(value)).toBeUndefined();
  });
});
