import { describe, expect, it } from 'vitest';
import { TagValueError } from '../../../../functions/core/errors.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../../../functions/core/model.js';
import type { GroupPolicy } from '../../../../functions/core/policy/policy.js';
import type { PolicyResult } from '../../../../functions/core/policy/tags.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';

const ENABLED = { 'phoenix:enabled': 'true' } as const;

function policyOf(tags: Record<string, string>): GroupPolicy {
  const result = parseGroupPolicy(tags);
  if (!result.ok) throw new Error(`expected tags to parse: ${result.errors.map((error) => error.message).join('; ')}`);
  return result.policy;
}

function errorsOf(result: PolicyResult): readonly TagValueError[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

describe('defaults', () => {
  it('an opted-in group with no other tags gets every default', () => {
    expect(policyOf({ ...ENABLED })).toEqual({
      mode: 'live',
      maxAge: undefined,
      chaosMeanInterval: undefined,
      budget: { count: 1, period: HOUR, text: '1/hour' },
      minHealthyPercent: 100,
      window: undefined,
      recoveryTimeout: 20 * MINUTE,
      taintGrace: HOUR,
      quarantine: undefined,
      canary: false,
      maxSurge: false,
    });
  });

  it('the policy and its budget are frozen', () => {
    const policy = policyOf({ ...ENABLED, 'phoenix:budget': '2/day' });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.budget)).toBe(true);
  });

  it('tags outside phoenix: are ignored', () => {
    expect(policyOf({ ...ENABLED, Name: 'web', 'aws:autoscaling:groupName': 'web', team: 'x' }).mode).toBe('live');
  });
});

describe('valid values', () => {
  it.each<{ case: string; tags: Record<string, string>; expected: Partial<GroupPolicy> }>([
    { case: 'enabled true is live', tags: { 'phoenix:enabled': 'true' }, expected: { mode: 'live' } },
    { case: 'enabled dry-run', tags: { 'phoenix:enabled': 'dry-run' }, expected: { mode: 'dry-run' } },
    { case: 'enabled false is disabled', tags: { 'phoenix:enabled': 'false' }, expected: { mode: 'disabled' } },
    { case: 'max-age in days', tags: { ...ENABLED, 'phoenix:max-age': '7d' }, expected: { maxAge: 7 * DAY } },
    { case: 'max-age in weeks', tags: { ...ENABLED, 'phoenix:max-age': '2w' }, expected: { maxAge: 2 * WEEK } },
    { case: 'max-age 90m', tags: { ...ENABLED, 'phoenix:max-age': '90m' }, expected: { maxAge: 90 * MINUTE } },
    { case: 'max-age lower bound 1h', tags: { ...ENABLED, 'phoenix:max-age': '1h' }, expected: { maxAge: HOUR } },
    { case: 'max-age lower bound as 60m', tags: { ...ENABLED, 'phoenix:max-age': '60m' }, expected: { maxAge: HOUR } },
    { case: 'max-age upper bound 365d', tags: { ...ENABLED, 'phoenix:max-age': '365d' }, expected: { maxAge: 365 * DAY } },
    { case: 'chaos 3d', tags: { ...ENABLED, 'phoenix:chaos': '3d' }, expected: { chaosMeanInterval: 3 * DAY } },
    { case: 'chaos off', tags: { ...ENABLED, 'phoenix:chaos': 'off' }, expected: { chaosMeanInterval: undefined } },
    { case: 'budget per day', tags: { ...ENABLED, 'phoenix:budget': '2/day' }, expected: { budget: { count: 2, period: DAY, text: '2/day' } } },
    { case: 'budget per week', tags: { ...ENABLED, 'phoenix:budget': '10/week' }, expected: { budget: { count: 10, period: WEEK, text: '10/week' } } },
    { case: 'budget upper bound', tags: { ...ENABLED, 'phoenix:budget': '1000/hour' }, expected: { budget: { count: 1000, period: HOUR, text: '1000/hour' } } },
    { case: 'min-healthy plain', tags: { ...ENABLED, 'phoenix:min-healthy': '90' }, expected: { minHealthyPercent: 90 } },
    { case: 'min-healthy with %', tags: { ...ENABLED, 'phoenix:min-healthy': '75%' }, expected: { minHealthyPercent: 75 } },
    { case: 'min-healthy 0', tags: { ...ENABLED, 'phoenix:min-healthy': '0' }, expected: { minHealthyPercent: 0 } },
    { case: 'min-healthy 100%', tags: { ...ENABLED, 'phoenix:min-healthy': '100%' }, expected: { minHealthyPercent: 100 } },
    { case: 'recovery-timeout 30m', tags: { ...ENABLED, 'phoenix:recovery-timeout': '30m' }, expected: { recoveryTimeout: 30 * MINUTE } },
    { case: 'recovery-timeout lower bound 1m', tags: { ...ENABLED, 'phoenix:recovery-timeout': '1m' }, expected: { recoveryTimeout: MINUTE } },
    { case: 'recovery-timeout upper bound 24h', tags: { ...ENABLED, 'phoenix:recovery-timeout': '24h' }, expected: { recoveryTimeout: DAY } },
    { case: 'taint-grace zero', tags: { ...ENABLED, 'phoenix:taint-grace': '0m' }, expected: { taintGrace: 0 } },
    { case: 'taint-grace upper bound 7d', tags: { ...ENABLED, 'phoenix:taint-grace': '7d' }, expected: { taintGrace: 7 * DAY } },
    { case: 'quarantined with a reason', tags: { ...ENABLED, 'phoenix:quarantined': ' bad AMI, INC-42 ' }, expected: { quarantine: 'bad AMI, INC-42' } },
    { case: 'max-surge 1 lets a group at max size surge', tags: { ...ENABLED, 'phoenix:max-surge': '1' }, expected: { maxSurge: true } },
    { case: 'quarantined with an empty value still quarantines', tags: { ...ENABLED, 'phoenix:quarantined': '' }, expected: { quarantine: 'no reason given' } },
  ])('$case', ({ tags, expected }) => {
    expect(policyOf(tags)).toMatchObject(expected);
  });

  it('window is parsed into days, minutes and zone', () => {
    const { window } = policyOf({ ...ENABLED, 'phoenix:window': 'Mon-Fri 09:00-17:00 Europe/Berlin' });
    expect(window).toMatchObject({ startMinute: 540, endMinute: 1020, timeZone: 'Europe/Berlin', text: 'Mon-Fri 09:00-17:00 Europe/Berlin' });
    expect([...(window?.days ?? [])].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('malformed values never fall back to a default', () => {
  it.each(['true', '2', '0', 'yes', ' 1', '1 ', ''])('max-surge %j is a bad tag naming the one value it takes', (value) => {
    const [error] = errorsOf(parseGroupPolicy({ ...ENABLED, 'phoenix:max-surge': value }));
    expect(error?.message).toContain('phoenix:max-surge');
    expect(error?.message).toContain(JSON.stringify(value));
    expect(error?.message).toMatch(/1/);
  });

  it.each([
    { case: 'enabled absent', tags: {}, tag: 'phoenix:enabled', value: '', expected: 'true, dry-run or false (the tag is absent)' },
    { case: 'enabled yes', tags: { 'phoenix:enabled': 'yes' }, tag: 'phoenix:enabled', value: 'yes', expected: 'true, dry-run or false' },
    { case: 'enabled is case-sensitive', tags: { 'phoenix:enabled': 'True' }, tag: 'phoenix:enabled', value: 'True', expected: 'true, dry-run or false' },
    { case: 'enabled empty', tags: { 'phoenix:enabled': '' }, tag: 'phoenix:enabled', value: '', expected: 'true, dry-run or false' },
    {
      case: 'enabled named after an inherited property',
      tags: { 'phoenix:enabled': 'constructor' },
      tag: 'phoenix:enabled',
      value: 'constructor',
      expected: 'true, dry-run or false',
    },
    {
      case: 'max-age unknown unit',
      tags: { ...ENABLED, 'phoenix:max-age': '7x' },
      tag: 'phoenix:max-age',
      value: '7x',
      expected: 'a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'max-age below 1h',
      tags: { ...ENABLED, 'phoenix:max-age': '59m' },
      tag: 'phoenix:max-age',
      value: '59m',
      expected: 'a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'max-age above 365d',
      tags: { ...ENABLED, 'phoenix:max-age': '366d' },
      tag: 'phoenix:max-age',
      value: '366d',
      expected: 'a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'enabled with a trailing space',
      tags: { 'phoenix:enabled': 'true ' },
      tag: 'phoenix:enabled',
      value: 'true ',
      expected: '"true" exactly, with no spaces or line breaks around it',
    },
    {
      case: 'enabled padded on both sides',
      tags: { 'phoenix:enabled': ' true ' },
      tag: 'phoenix:enabled',
      value: ' true ',
      expected: '"true" exactly, with no spaces or line breaks around it',
    },
    {
      case: 'enabled false with a trailing space',
      tags: { 'phoenix:enabled': 'false ' },
      tag: 'phoenix:enabled',
      value: 'false ',
      expected: '"false" exactly, with no spaces or line breaks around it',
    },
    { case: 'enabled in capitals', tags: { 'phoenix:enabled': 'TRUE' }, tag: 'phoenix:enabled', value: 'TRUE', expected: 'true, dry-run or false' },
    {
      case: 'budget padded',
      tags: { ...ENABLED, 'phoenix:budget': ' 1000/hour ' },
      tag: 'phoenix:budget',
      value: ' 1000/hour ',
      expected: '"1000/hour" exactly, with no spaces or line breaks around it',
    },
    {
      case: 'max-age with a trailing space',
      tags: { ...ENABLED, 'phoenix:max-age': '7d ' },
      tag: 'phoenix:max-age',
      value: '7d ',
      expected: '"7d" exactly, with no spaces or line breaks around it',
    },
    {
      case: 'window with a leading space',
      tags: { ...ENABLED, 'phoenix:window': ' Mon 09:00-17:00 UTC' },
      tag: 'phoenix:window',
      value: ' Mon 09:00-17:00 UTC',
      expected: '"Mon 09:00-17:00 UTC" exactly, with no spaces or line breaks around it',
    },
    {
      case: 'max-age empty',
      tags: { ...ENABLED, 'phoenix:max-age': '' },
      tag: 'phoenix:max-age',
      value: '',
      expected: 'a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'max-age decimal',
      tags: { ...ENABLED, 'phoenix:max-age': '1.5d' },
      tag: 'phoenix:max-age',
      value: '1.5d',
      expected: 'a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'chaos Off is case-sensitive',
      tags: { ...ENABLED, 'phoenix:chaos': 'Off' },
      tag: 'phoenix:chaos',
      value: 'Off',
      expected: 'off, or a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'chaos below 1h',
      tags: { ...ENABLED, 'phoenix:chaos': '30m' },
      tag: 'phoenix:chaos',
      value: '30m',
      expected: 'off, or a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'chaos above 365d',
      tags: { ...ENABLED, 'phoenix:chaos': '53w' },
      tag: 'phoenix:chaos',
      value: '53w',
      expected: 'off, or a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
    },
    {
      case: 'budget 0',
      tags: { ...ENABLED, 'phoenix:budget': '0/day' },
      tag: 'phoenix:budget',
      value: '0/day',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget 1001',
      tags: { ...ENABLED, 'phoenix:budget': '1001/day' },
      tag: 'phoenix:budget',
      value: '1001/day',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget leading plus',
      tags: { ...ENABLED, 'phoenix:budget': '+2/day' },
      tag: 'phoenix:budget',
      value: '+2/day',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget decimal',
      tags: { ...ENABLED, 'phoenix:budget': '1.5/day' },
      tag: 'phoenix:budget',
      value: '1.5/day',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget space inside',
      tags: { ...ENABLED, 'phoenix:budget': '2 / day' },
      tag: 'phoenix:budget',
      value: '2 / day',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget unknown period',
      tags: { ...ENABLED, 'phoenix:budget': '2/month' },
      tag: 'phoenix:budget',
      value: '2/month',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget plural period',
      tags: { ...ENABLED, 'phoenix:budget': '2/days' },
      tag: 'phoenix:budget',
      value: '2/days',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'budget without period',
      tags: { ...ENABLED, 'phoenix:budget': '2' },
      tag: 'phoenix:budget',
      value: '2',
      expected: 'N/hour, N/day or N/week with N a whole number from 1 to 1000, such as 2/day',
    },
    {
      case: 'min-healthy 101',
      tags: { ...ENABLED, 'phoenix:min-healthy': '101' },
      tag: 'phoenix:min-healthy',
      value: '101',
      expected: 'a whole percent from 0 to 100, such as 100 or 90%',
    },
    {
      case: 'min-healthy negative',
      tags: { ...ENABLED, 'phoenix:min-healthy': '-1' },
      tag: 'phoenix:min-healthy',
      value: '-1',
      expected: 'a whole percent from 0 to 100, such as 100 or 90%',
    },
    {
      case: 'min-healthy decimal',
      tags: { ...ENABLED, 'phoenix:min-healthy': '90.5%' },
      tag: 'phoenix:min-healthy',
      value: '90.5%',
      expected: 'a whole percent from 0 to 100, such as 100 or 90%',
    },
    {
      case: 'min-healthy words',
      tags: { ...ENABLED, 'phoenix:min-healthy': 'all' },
      tag: 'phoenix:min-healthy',
      value: 'all',
      expected: 'a whole percent from 0 to 100, such as 100 or 90%',
    },
    {
      case: 'recovery-timeout zero',
      tags: { ...ENABLED, 'phoenix:recovery-timeout': '0m' },
      tag: 'phoenix:recovery-timeout',
      value: '0m',
      expected: 'a duration such as 10m, 30m or 2h, from 1m to 24h',
    },
    {
      case: 'recovery-timeout above 24h',
      tags: { ...ENABLED, 'phoenix:recovery-timeout': '25h' },
      tag: 'phoenix:recovery-timeout',
      value: '25h',
      expected: 'a duration such as 10m, 30m or 2h, from 1m to 24h',
    },
    {
      case: 'taint-grace above 7d',
      tags: { ...ENABLED, 'phoenix:taint-grace': '8d' },
      tag: 'phoenix:taint-grace',
      value: '8d',
      expected: 'a duration such as 0m, 30m, 1h or 1d, from 0m to 7d',
    },
    {
      case: 'taint-grace words',
      tags: { ...ENABLED, 'phoenix:taint-grace': 'none' },
      tag: 'phoenix:taint-grace',
      value: 'none',
      expected: 'a duration such as 0m, 30m, 1h or 1d, from 0m to 7d',
    },
    {
      case: 'window with an unknown zone',
      tags: { ...ENABLED, 'phoenix:window': 'Mon-Fri 09:00-17:00 Europe/Berln' },
      tag: 'phoenix:window',
      value: 'Mon-Fri 09:00-17:00 Europe/Berln',
      expected: 'an IANA time zone such as Europe/Berlin or UTC ("Europe/Berln" is unknown)',
    },
    {
      case: 'window without a zone',
      tags: { ...ENABLED, 'phoenix:window': 'Mon-Fri 09:00-17:00' },
      tag: 'phoenix:window',
      value: 'Mon-Fri 09:00-17:00',
      expected: 'a time zone after the times, such as UTC or Europe/Berlin (there is no default zone)',
    },
    {
      case: 'window with equal times',
      tags: { ...ENABLED, 'phoenix:window': 'Mon 09:00-09:00 UTC' },
      tag: 'phoenix:window',
      value: 'Mon 09:00-09:00 UTC',
      expected: 'times HH:MM-HH:MM with different start and end',
    },
  ])('$case', ({ tags, tag, value, expected }) => {
    const errors = errorsOf(parseGroupPolicy(tags));
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(TagValueError);
    expect(error).toMatchObject({ name: 'TagValueError', tag, value, expected });
    expect(error?.message).toBe(`${tag}=${JSON.stringify(value)}: expected ${expected}`);
    expect(error?.message).toContain(value);
  });

  it('the message reads as the brief example', () => {
    const [error] = errorsOf(parseGroupPolicy({ ...ENABLED, 'phoenix:max-age': '7x' }));
    expect(error?.message).toBe('phoenix:max-age="7x": expected a duration such as 90m, 36h, 7d or 2w, from 1h to 365d');
  });

  it('keeps the value as written (untrimmed) in the error', () => {
    const [error] = errorsOf(parseGroupPolicy({ ...ENABLED, 'phoenix:budget': ' 0/day ' }));
    expect(error?.value).toBe(' 0/day ');
  });
});

describe('every problem is reported at once', () => {
  it('collects errors from several tags, in a stable order', () => {
    const errors = errorsOf(
      parseGroupPolicy({
        'phoenix:enabled': 'yes',
        'phoenix:max-age': '366d',
        'phoenix:budget': '0/day',
        'phoenix:window': 'Mon-Fri 09:00-17:00',
        'phoenix:max_age': '7d',
      }),
    );
    expect(errors.map((error) => error.tag)).toEqual(['phoenix:enabled', 'phoenix:max-age', 'phoenix:budget', 'phoenix:window', 'phoenix:max_age']);
  });

  it('a live group with one bad tag among good ones is not ok', () => {
    const result = parseGroupPolicy({ ...ENABLED, 'phoenix:max-age': '7d', 'phoenix:budget': '2/day', 'phoenix:min-healthy': '101' });
    expect(errorsOf(result).map((error) => error.tag)).toEqual(['phoenix:min-healthy']);
  });
});

describe('unknown phoenix: keys', () => {
  it.each([
    { case: 'underscore typo', key: 'phoenix:max_age', says: ['one of the group tags phoenix:enabled, phoenix:max-age', '(did you mean phoenix:max-age?)'] },
    { case: 'wrong case', key: 'Phoenix:Max-Age', says: ['(did you mean phoenix:max-age?)'] },
    { case: 'invented key', key: 'phoenix:speed', says: ['one of the group tags', 'phoenix:quarantined'] },
    { case: 'bare prefix', key: 'phoenix:', says: ['one of the group tags'] },
  ])('$case: $key', ({ key, says }) => {
    const [error, ...rest] = errorsOf(parseGroupPolicy({ ...ENABLED, [key]: '7d' }));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ tag: key, value: '7d' });
    expect(error?.message).toContain(key);
    for (const fragment of says) expect(error?.expected).toContain(fragment);
  });

  it.each([
    { case: 'exempt', key: 'phoenix:exempt', value: 'true' },
    { case: 'tainted', key: 'phoenix:tainted', value: 'ssm:alice' },
  ])('$case is an instance tag, not a group tag', ({ key, value }) => {
    const [error] = errorsOf(parseGroupPolicy({ ...ENABLED, [key]: value }));
    expect(error).toMatchObject({ tag: key, value, expected: `no ${key} on the group: it is an instance tag, put it on the instances instead` });
    expect(error?.message).toContain(value);
  });
});

describe('a disabled group is ignored', () => {
  it('does not validate its other tags', () => {
    const result = parseGroupPolicy({
      'phoenix:enabled': 'false',
      'phoenix:max-age': 'soon',
      'phoenix:window': 'whenever',
      'phoenix:exempt': 'true',
      'phoenix:typo': 'x',
    });
    expect(result.ok && result.policy.mode).toBe('disabled');
  });

  it('an invalid enabled value does validate the others (they matter once it is fixed)', () => {
    const errors = errorsOf(parseGroupPolicy({ 'phoenix:enabled': 'False', 'phoenix:max-age': 'soon' }));
    expect(errors.map((error) => error.tag)).toEqual(['phoenix:enabled', 'phoenix:max-age']);
  });
});

describe("the account's ceiling and floor", () => {
  const limits = { maxBudget: { count: 6, period: DAY, text: '6/day' }, minHealthyFloor: 75, maxSnoozesPerWeek: 3 };

  it.each([
    { case: 'a budget within the ceiling', tags: { ...ENABLED, 'phoenix:budget': '2/day' }, errors: [] },
    { case: 'a weekly budget at the same rate', tags: { ...ENABLED, 'phoenix:budget': '42/week', 'phoenix:min-healthy': '75' }, errors: [] },
    {
      case: 'a budget above the ceiling',
      tags: { ...ENABLED, 'phoenix:budget': '1000/hour' },
      errors: ['phoenix:budget="1000/hour": expected a budget at most 6/day'],
    },
    {
      case: 'no budget tag, the default 1/hour above the ceiling',
      tags: { ...ENABLED },
      errors: ['phoenix:budget="": expected no phoenix:budget tag, whose default 1/hour is above'],
    },
    {
      case: 'min-healthy below the floor',
      tags: { ...ENABLED, 'phoenix:budget': '1/day', 'phoenix:min-healthy': '0' },
      errors: ['phoenix:min-healthy="0": expected at least 75'],
    },
  ])('$case', ({ tags, errors }) => {
    const result = parseGroupPolicy(tags, limits);
    const messages = result.ok ? [] : result.errors.map((error) => error.message);
    expect(messages).toHaveLength(errors.length);
    for (const [index, expected] of errors.entries()) expect(messages[index]).toContain(expected);
  });
});

describe('phoenix:selftest, the mark of a group phoenix selftest made', () => {
  it('true is read and changes no rule', () => {
    const parsed = parseGroupPolicy({ 'phoenix:enabled': 'true', 'phoenix:selftest': 'true' });
    expect(parsed).toEqual(parseGroupPolicy({ 'phoenix:enabled': 'true' }));
  });

  it.each(['yes', 'True', 'true ', ''])('%j is a bad tag naming the value and what was expected', (value) => {
    const parsed = parseGroupPolicy({ 'phoenix:enabled': 'true', 'phoenix:selftest': value });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.errors.map((error) => error.message)).toEqual([
        `phoenix:selftest=${JSON.stringify(value)}: expected true, on a group phoenix selftest made (or no such tag)`,
      ]);
  });
});
