import { describe, expect, it } from 'vitest';
import { checkForecastSize, forecast } from '../../../functions/cli/forecast.js';
import { fleetSpecs, ledgerSeed } from '../../../functions/cli/forecast-fleet.js';
import { progressLines } from '../../../functions/cli/forecast-format.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { cli, STACK_LINE } from '../../support/cli.js';
import { group, instance, NOW, OPTED_IN, record, surgingRecord } from '../../support/fleet.js';

describe('fleetSpecs: the real fleet as the simulator starts it', () => {
  it('keeps the group, its sizes, tags, suspended processes and launch template', () => {
    const real = group({ name: 'web', desired: 4, min: 2, max: 6, suspendedProcesses: ['AZRebalance'] });
    const [spec] = fleetSpecs([real], NOW);
    expect(spec).toMatchObject({
      name: 'web',
      desired: 4,
      min: 2,
      max: 6,
      tags: real.tags,
      launchTemplate: { id: 'lt-1', version: '1' },
      suspendedProcesses: ['AZRebalance'],
    });
  });

  it('gives each instance its real id, its age at the start, its protection and tags (exempt among them)', () => {
    const real = group({
      instances: [
        instance({ id: 'i-0aaa', launchedAt: NOW - 3 * DAY, protectedFromScaleIn: true }),
        instance({ id: 'i-0bbb', launchedAt: NOW - HOUR, tags: { 'phoenix:exempt': 'true' } }),
      ],
    });
    const [spec] = fleetSpecs([real], NOW + 10 * MINUTE);
    expect(spec?.instances).toEqual([
      { id: 'i-0aaa', age: 3 * DAY + 10 * MINUTE, tags: {}, protectedFromScaleIn: true },
      { id: 'i-0bbb', age: HOUR + 10 * MINUTE, tags: { 'phoenix:exempt': 'true' }, protectedFromScaleIn: false },
    ]);
  });

  it.each([
    { case: 'an older version of the same template', source: { kind: 'template', id: 'lt-1', version: '0' } as const, version: '0' },
    { case: 'another template', source: { kind: 'template', id: 'lt-2', version: '1' } as const, version: 'other:lt-2:1' },
    { case: 'a launch configuration', source: { kind: 'configuration', name: 'old' } as const, version: 'other:launch-configuration:old:1' },
  ])('an instance on $case starts stale', ({ source, version }) => {
    const [spec] = fleetSpecs([group({ instances: [instance({ id: 'i-1', launchSource: source })] })], NOW);
    expect(spec?.instances[0]?.launchTemplateVersion).toBe(version);
  });

  it('an instance on the current source, or with no source known, is on the group version', () => {
    const instances = [instance({ id: 'i-1' }), instance({ id: 'i-2', launchSource: undefined })];
    const [spec] = fleetSpecs([group({ instances })], NOW);
    expect(spec?.instances.map((one) => one.launchTemplateVersion)).toEqual([undefined, undefined]);
  });

  it('a group on a launch configuration gets a template of its own; one with no resolved source gets one too', () => {
    const specs = fleetSpecs([group({ name: 'a', launchSource: { kind: 'configuration', name: 'lc' } }), group({ name: 'b', launchSource: undefined })], NOW);
    expect(specs.map((spec) => spec.launchTemplate)).toEqual([
      { id: 'launch-configuration:lc', version: '1' },
      { id: 'unresolved', version: '1' },
    ]);
  });

  it('leaves out instances on their way out and counts one with no launch time as new', () => {
    const instances = [
      instance({ id: 'i-1', lifecycleState: 'Terminating' }),
      instance({ id: 'i-2', lifecycleState: 'Standby' }),
      instance({ id: 'i-3', lifecycleState: 'Pending' }),
      instance({ id: 'i-4', launchedAt: undefined }),
    ];
    const [spec] = fleetSpecs([group({ instances })], NOW);
    expect(spec?.instances.map((one) => [one.id, one.age])).toEqual([
      ['i-3', DAY],
      ['i-4', 0],
    ]);
  });
});

describe('ledgerSeed', () => {
  it('keeps each record once, the open one where both reads returned it', () => {
    const open = surgingRecord({ id: 'web#2' });
    const seeded = ledgerSeed([open], [record({ id: 'web#1' }), record({ id: 'web#2', phase: 'verified' })]);
    expect(seeded.map((one) => [one.id, one.phase])).toEqual([
      ['web#1', 'verified'],
      ['web#2', 'surging'],
    ]);
  });
});

describe('forecast', () => {
  const options = { now: NOW, days: 3, tickInterval: 10 * MINUTE };

  it('recycles the instances as they near max-age by their real ids, counts them per day and the surge hours', async () => {
    // i-1..i-4 are 4..1 days old: with 5d, i-1 and i-2 are due within the three days, i-4 is not.
    const web = group({ name: 'web', size: 4, tags: { ...OPTED_IN, 'phoenix:max-age': '5d' } });
    const result = await forecast({ ...options, groups: [web], records: [] });
    expect(result.assumes).toMatch(/no failures.*no scaling/);
    expect(result).toMatchObject({ groups: 1, instances: 4, wouldRecycle: 0, breaches: [], ageDebtHours: 0 });
    expect(result.perDay.map((day) => day.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    const counted = result.perDay.reduce((sum, day) => sum + day.recycled['max-age'], 0);
    expect(counted).toBe(result.replacements);
    expect(result.replacements).toBeGreaterThanOrEqual(2);
    expect(result.firstPerGroup['web']?.slice(0, 2).map((one) => one.instanceId)).toEqual(['i-1', 'i-2']);
    expect(result.firstPerGroup['web']?.map((one) => one.instanceId)).not.toContain('i-4');
    expect(result.extraInstanceHours).toBeGreaterThan(0);
  });

  it('an instance the forecast launched is shown without an id, the real ones by theirs', async () => {
    const web = group({ name: 'web', size: 1, tags: { ...OPTED_IN, 'phoenix:max-age': '2d' } });
    const result = await forecast({ ...options, days: 5, groups: [web], records: [] });
    expect(result.firstPerGroup['web']?.map((one) => one.instanceId).slice(0, 2)).toEqual(['i-1', null]);
  });

  it('a budget already spent in the ledger holds back the next recycle', async () => {
    const web = group({ name: 'web', size: 2, tags: { ...OPTED_IN, 'phoenix:max-age': '1d', 'phoenix:budget': '1/week' } });
    const spent = record({ id: 'web#0', instanceId: 'i-gone', startedAt: NOW - DAY });
    const result = await forecast({ ...options, groups: [web], records: [spent] });
    expect(result.replacements).toBe(0);
    expect(result.breaches.map((breach) => breach.group)).toEqual(['web']);
    expect(result.ageDebtHours).toBeGreaterThan(0);
  });
});

describe('the simulator given real ids', () => {
  it('refuses an instance id twice, naming it, rather than run a copy with one instance fewer', async () => {
    const twice = [group({ name: 'a', size: 1 }), group({ name: 'b', size: 1 })];
    await expect(forecast({ now: NOW, days: 1, tickInterval: 10 * MINUTE, groups: twice, records: [] })).rejects.toThrow(
      'group b: instance id i-1 is already in the fleet',
    );
  });
});

describe('a forecast stays within what the simulator can hold', () => {
  it('accepts 50,000 instance-days', () => {
    expect(() => checkForecastSize(5_000, 10)).not.toThrow();
  });

  it.each([
    {
      case: 'too many days for the fleet',
      instances: 4_000,
      days: 30,
      message: '--days 30: 4,000 instances for 30 days is 120,000 instance-days, too many to simulate: expected at most 50,000; pass --days 12 or fewer',
    },
    {
      case: 'a fleet too large for a single day',
      instances: 60_000,
      days: 1,
      message:
        '--days 1: 60,000 instances for 1 days is 60,000 instance-days, too many to simulate: expected at most 50,000; the fleet has more than 50,000 instances: no forecast fits',
    },
  ])('$case: refused, naming --days and the most that fits', ({ instances, days, message }) => {
    expect(() => checkForecastSize(instances, days)).toThrow(message);
  });

  it('a long run says each tenth of its days on stderr, once', () => {
    const lines: string[] = [];
    const progress = progressLines(10, (text) => lines.push(text));
    for (const done of [5, 10, 15, 50, 100]) progress(done, 100);
    expect(lines).toEqual(['forecast: 10% (1.0 of 10 days)', 'forecast: 50% (5.0 of 10 days)', 'forecast: 100% (10.0 of 10 days)']);
  });
});

describe('phoenix forecast --days', () => {
  it.each(['0', '31', 'x'])('--days %s: exit 2, one line naming --days', async (days) => {
    const result = await cli(['forecast', '--days', days]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^--days/);
    expect(result.stderr).toMatch(/1 to 30|between 1 and 30|1\.\.30|expected/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
