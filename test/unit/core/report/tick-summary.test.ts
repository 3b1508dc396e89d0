import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../functions/core/decide/decision.js';
import { HOUR } from '../../../../functions/core/model.js';
import { countSkips, summarizeTick } from '../../../../functions/core/report/tick-summary.js';
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
