import { describe, expect, it } from 'vitest';
import { buildWeeklyReport } from '../../functions/app/weekly-report.js';
import { fleetRegion, parseWeek } from '../../functions/cli/report.js';
import { DAY, HOUR } from '../../functions/core/model.js';
import type { LedgerHistory } from '../../functions/core/ports.js';
import { FutureWeekError } from '../../functions/core/report/weekly.js';
import { MemoryLedger } from '../../sim/memory-ledger.js';
import { cli, NO_AWS, STACK_LINE } from '../support/cli.js';
import { NOW, REPORT_TIME } from '../support/clock.js';
import { group, instance, record } from '../support/fleet.js';

// How the reporter function and `phoenix report` build a week's report: which weeks, which ticks, which region.

/** Monday 16 November 2026 00:00 UTC: the start of 2026-W47. */
const W47 = Date.UTC(2026, 10, 16);

const fleet = { listOptedInGroups: async () => [group({ instances: [instance({ id: 'i-1', launchedAt: REPORT_TIME - 2 * DAY })], desired: 1 })] };

async function ledgerWithTicks(at: readonly number[]): Promise<MemoryLedger> {
  const ledger = new MemoryLedger([
    record({ id: 'in-week', group: 'web', instanceId: 'i-0', startedAt: W47 + DAY, terminatedAt: W47 + DAY, phase: 'failed', closedAt: W47 + DAY + HOUR }),
  ]);
  for (const tick of at) await ledger.recordTick({ at: tick, blocked: undefined, skips: {} });
  return ledger;
}

describe('buildWeeklyReport', () => {
  it('refuses a week that has not begun before reading anything', async () => {
    const reads: string[] = [];
    const read = async <T>(what: string, value: T): Promise<T> => {
      reads.push(what);
      return value;
    };
    const ledger: LedgerHistory = {
      recordsBetween: () => read('records', []),
      ticksBetween: () => read('ticks', []),
      snoozesBetween: () => read('snoozes', []),
      versionBlocks: () => read('blocks', []),
    };
    const listing = { listOptedInGroups: () => read('groups', []) };
    const build = buildWeeklyReport({ ledger, fleet: listing }, { week: '2026-W49', timeZone: 'UTC' }, REPORT_TIME);
    await expect(build).rejects.toThrow(FutureWeekError);
    await expect(build).rejects.toThrow('week 2026-W49 has not begun: it starts 2026-11-30T00:00:00.000Z');
    expect(reads).toEqual([]);
  });

  it('counts the ticks of the week and of the week before, so a first week and a silent week can be told', async () => {
    const ledger = await ledgerWithTicks([W47 - HOUR, W47 + HOUR, W47 + 2 * HOUR]);
    const report = await buildWeeklyReport({ ledger, fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    expect(report.recyclerTicks).toEqual({ thisWeek: 2, previousWeek: 1 });
    expect(report.fleetFindings).toEqual([]);
    const silent = await buildWeeklyReport({ ledger: await ledgerWithTicks([]), fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    expect(silent.recyclerTicks).toEqual({ thisWeek: 0, previousWeek: 0 });
    expect(silent.fleetFindings.map((finding) => finding.kind)).toEqual(['recycler-not-running']);
  });

  it('links groups and instances to the console of the region it is given, and has no links without one', async () => {
    const ledger = await ledgerWithTicks([W47 + HOUR]);
    const linked = await buildWeeklyReport({ ledger, fleet }, { week: '2026-W47', timeZone: 'UTC', region: 'eu-central-1' }, REPORT_TIME);
    const console = 'https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1';
    expect(linked.region).toBe('eu-central-1');
    expect(linked.groups[0]?.url).toBe(`${console}#AutoScalingGroupDetails:id=web;view=details`);
    expect(linked.groups[0]?.oldest?.url).toBe(`${console}#InstanceDetails:instanceId=i-1`);
    expect(linked.failedReplacements[0]?.url).toBe(`${console}#InstanceDetails:instanceId=i-0`);
    const plain = await buildWeeklyReport({ ledger, fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    expect(plain.region).toBeNull();
    expect(plain.groups[0]?.url).toBeNull();
  });
});

describe('phoenix report --week', () => {
  it('refuses a week to come with exit 2, naming the week, before any AWS call', async () => {
    const result = await cli(['report', '--week', '2026-W49'], NO_AWS, NOW);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      '--week: week 2026-W49 has not begun: it starts 2026-11-30T00:00:00.000Z, after now (2026-11-23T12:00:00.000Z): expected a week that has begun',
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('takes the current week, which the report marks partial', () => {
    expect(parseWeek('2026-W48', 'UTC', NOW)).toBe('2026-W48');
  });

  it('links to the region the fleet is read in', async () => {
    await expect(fleetRegion({ region: 'ap-southeast-2' })).resolves.toBe('ap-southeast-2');
  });
});
