import { describe, expect, it } from 'vitest';
import { cli, STACK_LINE } from '../../support/cli.js';

describe('phoenix simulate stays within what it can hold', () => {
  it.each([
    {
      case: '10,000 groups of 1,000',
      argv: ['simulate', '--groups', '10000', '--size', '1000', '--days', '1'],
      stderr: '--groups 10000 --size 1000: 10,000,000 instances is too many to simulate: expected at most 20,000 (groups times size)',
    },
    {
      case: '20,000 instances for a week',
      argv: ['simulate', '--groups', '1000', '--size', '20', '--days', '7'],
      stderr: '--groups 1000 --size 20 --days 7: 140,000 instance-days is too many to simulate: expected at most 50,000 (groups times size times days)',
    },
  ])('$case: exit 2 at once, one line naming the options', async ({ argv, stderr }) => {
    const started = Date.now();
    const result = await cli(argv);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
    expect(result.stderr).not.toMatch(STACK_LINE);
    // Refused before any simulation starts: no fleet is built.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a run past 10,000 instance-days reports each tenth of its virtual time on stderr, stdout stays one JSON object', async () => {
    const result = await cli(['simulate', '--groups', '20', '--size', '501', '--days', '1', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toEqual(
      Array.from({ length: 10 }, (_, index) => `simulate: ${(index + 1) * 10}% (${((index + 1) / 10).toFixed(1)} of 1 days)`),
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ groups: 20, instances: 10_020 });
  });

  it('a small run says nothing on stderr', async () => {
    const result = await cli(['simulate', '--groups', '3', '--size', '4', '--days', '1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});
