import { describe, expect, it } from 'vitest';
import { cli, NO_AWS, STACK_LINE } from '../../support/cli.js';

describe('phoenix release: what to release is checked before anything is read', () => {
  it.each([
    { args: [], says: 'phoenix release: nothing to release: expected the name of a quarantined Auto Scaling group, or --version V or --ami AMI' },
    { args: ['web', '--version', 'lt-0abc:7'], says: 'phoenix release: more than one thing to release' },
    { args: ['--version', 'lt-0abc:7', '--ami', 'ami-0abc1234'], says: 'phoenix release: more than one thing to release' },
    { args: ['--version', 'lt-0abc'], says: '--version: "lt-0abc" is not valid: expected a launch template id and version such as lt-0abc123:7' },
    { args: ['--version', 'lt-0abc:$Latest'], says: '--version: "lt-0abc:$Latest" is not valid' },
    { args: ['--ami', 'ami-xyz'], says: '--ami: "ami-xyz" is not valid: expected an AMI id such as ami-0abc1234def567890' },
    { args: ['web', '--stage', 'prod'], says: '--stage and --table: a quarantine is a tag on the group, no ledger is read' },
  ])('phoenix release $args', async ({ args, says }) => {
    const result = await cli(['release', ...args], NO_AWS);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(says);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stdout).toBe('');
  });
});
