import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_USAGE } from '../../../functions/cli/usage.js';
import { cli, STACK_LINE } from '../../support/cli.js';

const COMMANDS = Object.keys(COMMAND_USAGE);
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('phoenix help', () => {
  it.each(
    COMMANDS.flatMap((command) =>
      [
        ['help', command],
        [command, '--help'],
        [command, '-h'],
      ].map((argv) => ({ command, argv })),
    ),
  )('$argv prints the usage of $command on stdout with exit 0', async ({ command, argv }) => {
    const result = await cli(argv);
    expect(result).toEqual({ code: 0, stdout: COMMAND_USAGE[command as keyof typeof COMMAND_USAGE], stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^usage: phoenix ${command}`));
    expect(result.stdout).toContain('example: phoenix ');
  });

  it.each([['--help'], ['-h'], ['help']])('%s prints the list of commands on stdout with exit 0', async (flag) => {
    const result = await cli([flag]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('--help among other options still prints the usage and runs nothing', async () => {
    const result = await cli(['plan', '--at', 'nonsense', '--help']);
    expect(result).toEqual({ code: 0, stdout: COMMAND_USAGE.plan, stderr: '' });
  });

  it.each([['--version'], ['-v']])('%s prints the version from package.json', async (flag) => {
    expect(await cli([flag])).toEqual({ code: 0, stdout: `phoenix ${VERSION}`, stderr: '' });
  });

  it('no arguments: usage on stderr, nothing on stdout, exit 2', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^usage: phoenix <command>/);
  });

  it('help for an unknown command says which commands exist, exit 2', async () => {
    const result = await cli(['help', 'destroy']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `phoenix help: unknown command "destroy": expected one of ${COMMANDS.join(', ')}` });
  });

  it('release -h is help, never a group name sent to AWS', async () => {
    const result = await cli(['release', '-h'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(result).toEqual({ code: 0, stdout: COMMAND_USAGE.release, stderr: '' });
  });

  it('release with only an option: exit 2 naming what it takes', async () => {
    const result = await cli(['release', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'phoenix release: nothing to release: expected the name of a quarantined Auto Scaling group, or --version V or --ami AMI for a blocked version (phoenix release --help)',
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('phoenix option errors: one line naming the option, exit 2', () => {
  it.each([
    {
      case: '--days -1 (a separate negative value)',
      argv: ['simulate', '--days', '-1'],
      stderr: '--days: "-1" is not valid: expected a whole number from 1 to 90',
    },
    { case: '--days=-1', argv: ['simulate', '--days=-1'], stderr: '--days: "-1" is not valid: expected a whole number from 1 to 90' },
    {
      case: 'a misspelled option, with the one meant',
      argv: ['simulate', '--group', '3'],
      stderr:
        'phoenix simulate: unknown option --group: did you mean --groups? expected one of --groups, --size, --days, --seed, --scenario, --json, --report (phoenix simulate --help)',
    },
    { case: 'an option without its value', argv: ['simulate', '--days'], stderr: 'phoenix simulate: --days: a value is missing (phoenix simulate --help)' },
    { case: 'a value for a switch', argv: ['simulate', '--json=yes'], stderr: 'phoenix simulate: --json: takes no value (phoenix simulate --help)' },
    {
      case: 'a stray argument',
      argv: ['simulate', 'fast'],
      stderr: 'phoenix simulate: unexpected argument "fast": expected options only (phoenix simulate --help)',
    },
    { case: 'an unknown command', argv: ['destroy'], stderr: `unknown command "destroy": expected one of ${COMMANDS.join(', ')} (phoenix --help)` },
  ])('$case', async ({ argv, stderr }) => {
    const result = await cli(argv);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });
});
