import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../functions/core/decide/decision.js';
import { HOUR, MINUTE, WEEK } from '../../../../functions/core/model.js';
import { countSkips, summarizeTick, typicalTickInterval } from '../../../../functions/core/report/tick-summary.js';
import { NOW } from '../../../support/fleet.js';

function skip(group: string, reason: 'outside-window' | 'budget-spent' | 'global-block'): Decision {
  return { kind: 'skip', group, mode: 'live', instances: [], reason, why: reason };
}

describe('summarizeTick', () => {
  it('keeps each skipped group with its reason and the block, and leaves out groups that acted', () => {
    const decisions: Decision[] = [
      skip('web', 'outside-window'),
      {
        kind: 'start',
        group: 'api',
        mode: 'live',
        instances: [],
        instanceId: 'i-1',
        reason: 'max-age',
        why: 'old',
        method: 'terminate',
        desired: 2,
        dryRun: false,
        instanceAge: undefined,
        overdue: 0,
        launches: undefined,
        canary: false,
      },
    ];
    expect(summarizeTick(NOW, undefined, decisions)).toEqual({ at: NOW, blocked: undefined, skips: { web: 'outside-window' } });
    expect(summarizeTick(NOW, { reason: 'blackout', why: 'freeze', brake: false }, [skip('web', 'global-block')]).blocked).toBe('blackout');
  });
});

describe('countSkips', () => {
  const ticks = [
    summarizeTick(NOW - 2 * HOUR, undefined, [skip('web', 'outside-window'), skip('api', 'budget-spent')]),
    summarizeTick(NOW - HOUR, undefined, [skip('web', 'outside-window')]),
    summarizeTick(NOW, undefined, [skip('web', 'outside-window')]),
  ];

  it('adds up each group and reason over the ticks in [from, to)', () => {
    expect(countSkips(ticks, NOW - 2 * HOUR, NOW)).toEqual([
      { group: 'web', reason: 'outside-window', count: 2 },
      { group: 'api', reason: 'budget-spent', count: 1 },
    ]);
  });

  it('an empty range counts nothing', () => {
    expect(countSkips(ticks, NOW + HOUR, NOW + 2 * HOUR)).toEqual([]);
  });
});

describe('typicalTickInterval', () => {
  const at = (offsets: readonly number[]) => offsets.map((offset) => ({ at: NOW + offset, blocked: undefined, skips: {} }));

  it.each([
    { case: 'a steady schedule', ticks: at([0, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE]), interval: 10 * MINUTE },
    {
      case: 'a stopped week is one long gap and does not move the median',
      ticks: at([0, 5 * MINUTE, 10 * MINUTE, WEEK, WEEK + 5 * MINUTE]),
      interval: 5 * MINUTE,
    },
    { case: 'the parts of one tick read twice count once', ticks: at([0, 0, 10 * MINUTE, 20 * MINUTE]), interval: 10 * MINUTE },
    { case: 'one tick says nothing', ticks: at([0]), interval: undefined },
  ])('$case', ({ ticks, interval }) => {
    expect(typicalTickInterval(ticks)).toBe(interval);
  });
});
