import { describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/phoenix.js';

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) }, Date.UTC(2026, 10, 23, 12));
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('phoenix CLI', () => {
  it.each([
    { case: 'non-numeric --days', argv: ['simulate', '--days', 'seven'], names: '--days: "seven"' },
    { case: 'zero groups', argv: ['simulate', '--groups', '0'], names: 'expected a whole number from 1 to 10000' },
    { case: 'negative seed', argv: ['simulate', '--seed', '-1'], names: '--seed' },
    { case: 'unknown scenario', argv: ['simulate', '--scenario', 'meteor'], names: 'expected one of steady, launch-failure, throttle, overlap, scale-churn, bad-tags' },
    { case: 'misspelled option', argv: ['simulate', '--group', '3'], names: "'--group'" },
    { case: 'unknown command', argv: ['destroy'], names: 'unknown command "destroy"' },
    { case: 'no command', argv: [], names: '' },
    { case: 'plan with a bad --at', argv: ['plan', '--at', 'tomorrow'], names: '--at: "tomorrow"' },
    { case: 'plan with a bad --endpoint', argv: ['plan', '--endpoint', 'localhost'], names: '--endpoint: "localhost"' },
    { case: 'plan with a bad --tick-minutes', argv: ['plan', '--tick-minutes', '0'], names: '--tick-minutes' },
  ])('$case: exit 2 naming the argument, nothing printed on stdout but usage', async ({ argv, names }) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(`${result.stderr}${result.stdout}`).toContain(names);
  });

  it('--json prints exactly one JSON object with the spec fields', async () => {
    const result = await run('simulate', '--json', '--groups', '4', '--size', '5', '--days', '1', '--seed', '3');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(expect.arrayContaining([
      'scenario', 'seed', 'days', 'groups', 'instances', 'ticks', 'terminations', 'recoveries', 'quarantined', 'skips', 'violations', 'withinMaxAgePct', 'oldestInstanceHours',
    ]));
    expect(summary).toMatchObject({ scenario: 'steady', seed: 3, days: 1, groups: 4, instances: 20, ticks: 144 });
  });

  it('human output has the totals and one row per group', async () => {
    const result = await run('simulate', '--groups', '3', '--size', '4', '--days', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Violations:    none');
    expect(result.stdout.split('\n').filter((line) => /^svc-\d{3}/.test(line))).toHaveLength(3);
  });
});
