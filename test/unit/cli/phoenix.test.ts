import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../functions/cli/errors.js';
import { main } from '../../../functions/cli/phoenix.js';
import { type PlanSources, planReport } from '../../../functions/cli/plan.js';
import { parseWeek } from '../../../functions/cli/report.js';
import { IsoWeekError, TimeZoneError } from '../../../functions/core/errors.js';
import { STACK_LINE } from '../../support/cli.js';
import { group, NOW } from '../../support/fleet.js';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) }, NOW);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('phoenix CLI', () => {
  it.each([
    { case: 'non-numeric --days', argv: ['simulate', '--days', 'seven'], names: '--days: "seven"' },
    { case: 'zero groups', argv: ['simulate', '--groups', '0'], names: 'expected a whole number from 1 to 10000' },
    { case: 'negative seed', argv: ['simulate', '--seed', '-1'], names: '--seed' },
    {
      case: 'unknown scenario',
      argv: ['simulate', '--scenario', 'meteor'],
      names: 'expected one of steady, launch-failure, taint, throttle, overlap, scale-churn, bad-tags',
    },
    { case: 'misspelled option', argv: ['simulate', '--group', '3'], names: 'unknown option --group: did you mean --groups?' },
    { case: 'unknown command', argv: ['destroy'], names: 'unknown command "destroy"' },
    { case: 'no command', argv: [], names: '' },
    { case: 'plan with a bad --at', argv: ['plan', '--at', 'tomorrow'], names: '--at: "tomorrow"' },
    { case: 'plan with a bad --endpoint', argv: ['plan', '--endpoint', 'localhost'], names: '--endpoint: "localhost"' },
    { case: 'plan with a bad --tick-minutes', argv: ['plan', '--tick-minutes', '0'], names: '--tick-minutes' },
    {
      case: 'plan at a one-minute tick, which no stack can be deployed with',
      argv: ['plan', '--tick-minutes', '1'],
      names: '--tick-minutes: "1" is not valid: expected a whole number from 2 to 1440',
    },
    {
      case: 'report with a week in the wrong form',
      argv: ['report', '--week', '2026-47'],
      names: '--week: week "2026-47" is not valid: expected an ISO week YYYY-Www such as 2026-W47',
    },
    {
      case: 'report with week 53 of a 52-week year',
      argv: ['report', '--week', '2025-W53'],
      names: '--week: week "2025-W53" is not valid: 2025 has weeks W01 to W52',
    },
    { case: 'report with an unknown time zone', argv: ['report', '--time-zone', 'Mars/Olympus'], names: '--time-zone: time zone "Mars/Olympus" is not valid' },
    {
      case: 'report in an unknown format',
      argv: ['report', '--week', '2026-W47', '--format', 'pdf'],
      names: '--format: "pdf" is not valid: expected one of md, html, json',
    },
  ])('$case: exit 2 naming the argument on stderr, nothing on stdout, no stack', async ({ argv, names }) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(names);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('--json prints exactly one JSON object with the summary fields', async () => {
    const result = await run('simulate', '--json', '--groups', '4', '--size', '5', '--days', '1', '--seed', '3');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        'scenario',
        'seed',
        'days',
        'groups',
        'instances',
        'ticks',
        'terminations',
        'recoveries',
        'quarantined',
        'skips',
        'violations',
        'withinMaxAgePct',
        'oldestInstanceHours',
        'ageDebtHours',
        'infeasibleGroups',
      ]),
    );
    expect(summary).toMatchObject({ scenario: 'steady', seed: 3, days: 1, groups: 4, instances: 20, ticks: 144 });
  });

  it('--scenario taint --json reports tainted terminations and touch-to-replacement times', async () => {
    const result = await run('simulate', '--scenario', 'taint', '--json', '--groups', '10', '--size', '5', '--days', '2');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      scenario: string;
      terminations: Record<string, number>;
      taint: { replaced: number; touchToReplacementSeconds: { p50: number } };
    };
    expect(summary.scenario).toBe('taint');
    expect(summary.terminations['tainted']).toBeGreaterThan(0);
    expect(summary.taint.replaced).toBe(summary.terminations['tainted']);
    expect(summary.taint.touchToReplacementSeconds.p50).toBeGreaterThanOrEqual(3600);
  });

  it('--scenario operator, as docs/safety.md shows it: an adversary changes the world mid-replacement, and every violation is 0', async () => {
    const result = await run('simulate', '--scenario', 'operator', '--days', '14', '--seed', '1', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      scenario: string;
      violations: Record<string, number>;
      terminations: Record<string, number>;
      extraInstancesTakenBack: number;
    };
    expect(summary.scenario).toBe('operator');
    expect(Object.keys(summary.violations)).toEqual(expect.arrayContaining(['strandedSurge', 'desiredNotRestored', 'terminatedWhileBraked', 'budgetOverrun']));
    expect(Object.values(summary.violations).every((count) => count === 0)).toBe(true);
    // The adversary really braked surges in flight: some extra instances had to be taken back.
    expect(summary.extraInstancesTakenBack).toBeGreaterThan(0);
  });

  it('human output has the totals and one row per group', async () => {
    const result = await run('simulate', '--groups', '3', '--size', '4', '--days', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Violations:    none');
    expect(result.stdout.split('\n').filter((line) => /^svc-\d{3}/.test(line))).toHaveLength(3);
  });
});

describe('phoenix report blames the option by the type of the error', () => {
  it.each([
    { case: 'an unknown zone', week: '2026-W47', zone: 'Mars/Olympus', option: '--time-zone', cause: TimeZoneError },
    { case: 'an unknown zone and no week', week: undefined, zone: 'Mars/Olympus', option: '--time-zone', cause: TimeZoneError },
    { case: 'a week in the wrong form', week: '2026-47', zone: 'UTC', option: '--week', cause: IsoWeekError },
    { case: 'a week whose words mention a time zone', week: 'time zone', zone: 'UTC', option: '--week', cause: IsoWeekError },
  ])('$case: $option', ({ week, zone, option, cause }) => {
    let thrown: unknown;
    try {
      parseWeek(week, zone, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(thrown).toMatchObject({ message: expect.stringMatching(new RegExp(`^${option}: `)), cause: expect.any(cause) });
  });
});

describe('phoenix plan', () => {
  it('plans from sources that can only be read, and says when the ledger table is missing', async () => {
    const missing = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    const sources: PlanSources = {
      fleet: { listOptedInGroups: async () => [group()] },
      ledger: {
        entriesSince: async () => {
          throw missing;
        },
      },
    };
    const warnings: string[] = [];
    const report = await planReport(sources, { at: NOW, atChosen: false, table: 'absent', tickMinutes: 10 }, (text) => warnings.push(text));
    expect(report).toMatchObject({ ledger: 'missing', groups: [{ group: 'web' }] });
    expect(warnings).toEqual(['ledger table absent not found: budgets and replacements in flight are not taken into account']);
  });
});
