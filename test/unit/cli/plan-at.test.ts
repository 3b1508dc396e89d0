import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../functions/cli/errors.js';
import { parseAt, planReport } from '../../../functions/cli/plan.js';
import { DAY } from '../../../functions/core/model.js';
import { cli, STACK_LINE } from '../../support/cli.js';
import { group, NOW } from '../../support/fleet.js';

const EXPECTED = 'expected an ISO-8601 time with Z or an offset, such as 2026-11-23T09:00:00Z or 2026-11-23T10:00:00+01:00';

describe('phoenix plan --at', () => {
  it.each([
    { case: 'UTC', at: '2026-12-01T10:00:00Z', iso: '2026-12-01T10:00:00.000Z' },
    { case: 'an offset', at: '2026-12-01T11:30:00+01:30', iso: '2026-12-01T10:00:00.000Z' },
    { case: 'minutes only', at: '2026-12-01T10:00Z', iso: '2026-12-01T10:00:00.000Z' },
    { case: 'milliseconds', at: '2026-12-01T10:00:00.250Z', iso: '2026-12-01T10:00:00.250Z' },
    { case: '29 February of a leap year', at: '2028-02-29T00:00:00Z', iso: '2028-02-29T00:00:00.000Z' },
  ])('reads $case', ({ at, iso }) => {
    expect(new Date(parseAt(at, NOW)).toISOString()).toBe(iso);
  });

  it.each([
    { case: '30 February', at: '2026-02-30T00:00:00Z', says: 'there is no such date or time of day' },
    { case: '29 February of a common year', at: '2026-02-29T00:00:00Z', says: 'there is no such date or time of day' },
    { case: 'hour 24', at: '2026-12-01T24:00:00Z', says: 'there is no such date or time of day' },
    { case: 'no zone (would be read in this machine’s zone)', at: '2026-12-01T10:00:00', says: EXPECTED },
    { case: 'a date alone', at: '2026-12-01', says: EXPECTED },
    { case: 'words', at: 'tomorrow', says: EXPECTED },
    { case: 'an offset no place has', at: '2026-12-01T10:00:00+15:00', says: 'offset +15:00 is not one: expected -12:00 to +14:00' },
  ])('refuses $case: exit 2, one line naming --at and the value', async ({ at, says }) => {
    const result = await cli(['plan', '--at', at]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`--at: "${at}" is not valid: ${says}`);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('refuses a time before an instance of the fleet as it is now was launched, naming it and the first time accepted', async () => {
    const sources = { fleet: { listOptedInGroups: async () => [group({ size: 3 })] }, ledger: undefined };
    const at = NOW - 10 * DAY;
    const plan = planReport(sources, { at, atChosen: true, table: undefined, tickMinutes: 10 }, () => undefined);
    const launched = new Date(NOW - DAY).toISOString();
    await expect(plan).rejects.toEqual(
      new UsageError(
        `--at: ${new Date(at).toISOString()} is before instance i-3 of group web was launched (${launched}): a plan reads the fleet as it is now, so expected a time from ${launched} on`,
      ),
    );
  });

  it('plans at a time after every launch', async () => {
    const sources = { fleet: { listOptedInGroups: async () => [group({ size: 3 })] }, ledger: undefined };
    const report = await planReport(sources, { at: NOW + DAY, atChosen: true, table: undefined, tickMinutes: 10 }, () => undefined);
    expect(report.groups.flatMap((entry) => entry.instances.map((instance) => instance.ageSeconds))).toEqual([4, 3, 2].map((days) => (days * DAY) / 1000));
  });
});
