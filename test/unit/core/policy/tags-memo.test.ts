import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountLimits } from '../../../../functions/core/policy/tags.js';
import { NO_ACCOUNT_LIMITS, parseGroupPolicy } from '../../../../functions/core/policy/tags.js';

/** Limits no earlier call used: the answer under them is parsed afresh, never remembered. */
const fresh = (): AccountLimits => ({ ...NO_ACCOUNT_LIMITS });

describe('a group policy is remembered by its phoenix tags and the limits', () => {
  it('groups whose phoenix tags are alike share one answer, whatever their other tags', () => {
    const web = parseGroupPolicy({ 'phoenix:enabled': 'true', 'phoenix:max-age': '7d', Name: 'web', team: 'a' });
    const api = parseGroupPolicy({ 'phoenix:enabled': 'true', 'phoenix:max-age': '7d', Name: 'api' });
    expect(api).toBe(web);
    expect(Object.isFrozen(web.ok ? web.policy : web.errors)).toBe(true);
  });

  it('a value that would run into the next tag is still its own tag set', () => {
    const two = parseGroupPolicy({ 'phoenix:enabled': 'true', 'phoenix:max-age': '7d' });
    const one = parseGroupPolicy({ 'phoenix:enabled': 'truephoenix:max-age7d' });
    expect(two.ok).toBe(true);
    expect(one).toMatchObject({ ok: false, errors: [expect.objectContaining({ tag: 'phoenix:enabled' })] });
  });

  it('the same tags under other limits are judged by those limits', () => {
    const tags = { 'phoenix:enabled': 'true', 'phoenix:budget': '10/hour' };
    expect(parseGroupPolicy(tags).ok).toBe(true);
    const capped: AccountLimits = { ...NO_ACCOUNT_LIMITS, maxBudget: { count: 2, period: 3_600_000, text: '2/hour' } };
    expect(parseGroupPolicy(tags, capped)).toMatchObject({ ok: false, errors: [expect.objectContaining({ tag: 'phoenix:budget' })] });
  });

  it('any tag set, in any order, gets the answer a fresh parse gives', () => {
    const key = fc.constantFrom('phoenix:enabled', 'phoenix:max-age', 'phoenix:budget', 'phoenix:window', 'Phoenix:Max-Age', 'phoenix:canary', 'Name');
    const value = fc.constantFrom('true', 'dry-run', '7d', '2/day', ' 7d', 'daily 00:00-24:00 UTC', 'false', '', 'phoenix:max-age');
    fc.assert(
      fc.property(fc.dictionary(key, value), (tags) => {
        expect(parseGroupPolicy(tags)).toEqual(parseGroupPolicy(tags, fresh()));
        const reversed = Object.fromEntries(Object.entries(tags).reverse());
        expect(parseGroupPolicy(reversed)).toEqual(parseGroupPolicy(reversed, fresh()));
      }),
      { numRuns: 300 },
    );
  });
});
