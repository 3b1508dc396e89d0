import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predictDeadline } from '../../../../functions/core/deadline/model.js';
import { replacementEstimate } from '../../../../functions/core/decide/candidates.js';
import { DAY, MINUTE } from '../../../../functions/core/model.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import { isWindowOpen } from '../../../../functions/core/policy/window.js';
import { group, instance, OPTED_IN } from '../../../support/fleet.js';

const TICK = 10 * MINUTE;
const WINDOWS = [
  undefined,
  'Mon-Fri 09:00-17:00 Europe/Berlin',
  'Fri-Mon 22:00-02:00 America/New_York',
  'daily 01:30-03:30 Europe/Berlin',
  'Sat 02:00-03:00 UTC',
];
/** Around both 2026 DST changes in Europe and the US, and an ordinary week. */
const NOWS = [Date.UTC(2026, 2, 26, 12), Date.UTC(2026, 9, 22, 7, 30), Date.UTC(2026, 10, 23, 12), Date.UTC(2026, 2, 5, 18, 10)];

const arbitraryCase = fc.record({
  ages: fc.array(fc.integer({ min: 0, max: 10 * DAY }), { minLength: 1, maxLength: 12 }),
  maxAgeDays: fc.integer({ min: 1, max: 14 }),
  budget: fc.constantFrom('1/hour', '2/hour', '3/day', '1/day', '5/week'),
  window: fc.constantFrom(...WINDOWS),
  minHealthy: fc.constantFrom('100', '50'),
  now: fc.constantFrom(...NOWS),
});

describe('the recycles a prediction plans obey the rules the recycler applies', () => {
  it('each on a tick, with the window open at its start and three ticks later, one at a time, within the budget counted at termination', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ ages, maxAgeDays, budget, window, minHealthy, now }) => {
        const tags = {
          ...OPTED_IN,
          'phoenix:max-age': `${maxAgeDays}d`,
          'phoenix:budget': budget,
          'phoenix:min-healthy': minHealthy,
          ...(window === undefined ? {} : { 'phoenix:window': window }),
        };
        const parsed = parseGroupPolicy(tags);
        if (!parsed.ok) throw new Error('arbitrary tags must parse');
        const instances = ages.map((age, index) => instance({ id: `i-${index}`, launchedAt: now - age }));
        const subject = group({ size: instances.length, instances, tags });
        const deadline = predictDeadline({ group: subject, policy: parsed.policy, now, tickInterval: TICK, records: [] });
        const recycles = deadline?.nextRecycles ?? [];
        const surge = minHealthy === '100';
        const replacement = replacementEstimate(TICK);
        const terminations = recycles.map((recycle) => recycle.at + (surge ? replacement : 0));
        recycles.forEach((recycle, index) => {
          expect((recycle.at - now) % TICK).toBe(0);
          expect(isWindowOpen(parsed.policy.window, recycle.at)).toBe(true);
          expect(isWindowOpen(parsed.policy.window, recycle.at + replacement)).toBe(true);
          const previous = recycles[index - 1];
          if (previous !== undefined) expect(recycle.at - previous.at).toBeGreaterThanOrEqual(replacement);
          const counted = terminations.slice(0, index).filter((at) => at > recycle.at - parsed.policy.budget.period).length;
          expect(counted).toBeLessThan(parsed.policy.budget.count);
        });
        expect(new Set(recycles.map((recycle) => recycle.instanceId)).size).toBe(recycles.length);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
