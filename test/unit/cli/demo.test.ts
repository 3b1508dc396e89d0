import { describe, expect, it } from 'vitest';
import { cli, STACK_LINE } from '../../support/cli.js';

describe('phoenix demo', () => {
  it('accounts for every group, says what its skip counts count, and shows each group’s max-age beside its oldest instance', async () => {
    const result = await cli(['demo']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('Running the recycler, verifier and simulator over one virtual week (scenario steady, seed 1)...');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Phoenix simulation: scenario steady, seed 1, 7 days, 50 groups, 1000 instances, 1008 ticks');
    const listed = /^(\d+) groups carry phoenix:enabled and are listed below; (\d+) do not \(not opted in\) and are left alone$/.exec(lines[1] ?? '');
    expect(listed).not.toBeNull();
    expect(Number(listed?.[1]) + Number(listed?.[2])).toBe(50);
    expect(lines.filter((line) => /^svc-\d{3}/.test(line))).toHaveLength(Number(listed?.[1]));
    expect(result.stdout).toMatch(/^Skips: {9}no-candidate \d+.* \(group-ticks: each group counts once per tick it was left alone\)$/m);
    expect(result.stdout).toMatch(/oldest instance of a live group now \d+\.\dd$/m);
    expect(result.stdout).toMatch(/^Age debt: {6}\d+(\.\d)? instance-hours in service past max-age; (no group fell behind|fell behind: svc-\d{3})/m);
    const header = lines.find((line) => line.startsWith('group '));
    expect(header).toMatch(/max-age +oldest now/);
    expect(result.stdout).toMatch(/^svc-001-web +live .* 7d +\d+\.\dd /m);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('takes no arguments', async () => {
    expect(await cli(['demo', '--days', '3'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'phoenix demo takes no arguments (got --days 3); use phoenix simulate for options',
    });
  });
});
