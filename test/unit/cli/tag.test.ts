import {
  AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS, cli, NO_AWS, STACK_LINE } from '../../support/cli.js';

const autoScaling = mockClient(AutoScalingClient);
const ENV = { ...NO_AWS, ...CREDENTIALS, AWS_REGION: 'eu-west-1' };

afterEach(() => autoScaling.reset());

function tags(group: string, values: Record<string, string>) {
  return Object.entries(values).map(([Key, Value]) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: false }));
}

function asg(name: string, values: Record<string, string>): AutoScalingGroup {
  const required = {
    MinSize: 0,
    MaxSize: 1,
    DesiredCapacity: 0,
    DefaultCooldown: 300,
    AvailabilityZones: [],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(0),
  };
  return { ...required, AutoScalingGroupName: name, Tags: tags(name, values) };
}

function givenGroups(): void {
  autoScaling
    .on(DescribeAutoScalingGroupsCommand)
    .resolvesOnce({
      AutoScalingGroups: [asg('team-a-web', { team: 'a' }), asg('team-a-api', { 'phoenix:enabled': 'false' })],
      NextToken: 'more',
    })
    .resolvesOnce({
      AutoScalingGroups: [asg('team-a-db', { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '14d' }), asg('team-b-web', {})],
    });
}

const ENROL = ['tag', 'team-a-*', '--set', 'phoenix:enabled=dry-run', '--set', 'phoenix:max-age=14d'];

describe('phoenix tag', () => {
  it('prints what it would change on every matching group, and changes nothing without --apply', async () => {
    givenGroups();
    const result = await cli(ENROL, ENV);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'phoenix tag team-a-*: 3 groups match; 2 would change, 1 already as asked',
        '  team-a-api: phoenix:enabled "false" -> "dry-run"',
        '  team-a-api: phoenix:max-age (unset) -> "14d"',
        '  team-a-web: phoenix:enabled (unset) -> "dry-run"',
        '  team-a-web: phoenix:max-age (unset) -> "14d"',
        '',
        'Nothing changed: pass --apply to write these tags (with your own AWS credentials).',
      ].join('\n'),
    });
    expect(autoScaling.commandCalls(CreateOrUpdateTagsCommand)).toHaveLength(0);
    expect(autoScaling.commandCalls(DeleteTagsCommand)).toHaveLength(0);
  });

  it('--apply writes group tags (never propagated to instances) on the groups that differ only', async () => {
    givenGroups();
    autoScaling.on(CreateOrUpdateTagsCommand).resolves({});
    const result = await cli([...ENROL, '--apply'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('phoenix tag team-a-*: 3 groups match; 2 changed, 1 already as asked');
    expect(autoScaling.commandCalls(CreateOrUpdateTagsCommand).map((call) => call.args[0].input.Tags)).toEqual([
      tags('team-a-api', { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '14d' }),
      tags('team-a-web', { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '14d' }),
    ]);
  });

  it('--remove deletes the key where it is present, --json says what was done', async () => {
    givenGroups();
    autoScaling.on(DeleteTagsCommand).resolves({});
    const result = await cli(['tag', 'team-a-*', '--remove', 'phoenix:max-age', '--apply', '--json'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      applied: true,
      glob: 'team-a-*',
      matched: 3,
      changes: [{ group: 'team-a-db', set: {}, remove: ['phoenix:max-age'] }],
      unchanged: ['team-a-api', 'team-a-web'],
      failed: [],
    });
    expect(autoScaling.commandCalls(DeleteTagsCommand).map((call) => call.args[0].input.Tags)).toEqual([
      [{ ResourceId: 'team-a-db', ResourceType: 'auto-scaling-group', Key: 'phoenix:max-age' }],
    ]);
  });

  it('a group whose write is refused is named on stderr, the others are changed, exit 1', async () => {
    givenGroups();
    autoScaling
      .on(CreateOrUpdateTagsCommand)
      .rejectsOnce(Object.assign(new Error('not authorized to perform: autoscaling:CreateOrUpdateTags'), { name: 'AccessDenied' }))
      .resolves({});
    const result = await cli([...ENROL, '--apply'], ENV);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe('phoenix tag team-a-*: 3 groups match; 1 changed, 1 already as asked');
    expect(result.stderr).toBe(
      'phoenix tag: team-a-api not changed: AWS denied the request (AccessDenied): not authorized to perform: autoscaling:CreateOrUpdateTags',
    );
    expect(autoScaling.commandCalls(CreateOrUpdateTagsCommand)).toHaveLength(2);
  });

  it.each([
    {
      case: 'a value the recycler would not read',
      argv: ['tag', 'team-a-*', '--set', 'phoenix:max-age=forever'],
      stderr: expect.stringMatching(/^--set: phoenix:max-age="forever": expected /),
    },
    {
      case: 'a key outside phoenix:',
      argv: ['tag', 'x', '--set', 'team=b'],
      stderr: '--set: "team" is not a Phoenix tag: expected a key starting with phoenix:',
    },
    {
      case: 'an instance tag on a group',
      argv: ['tag', 'x', '--set', 'phoenix:exempt=true'],
      stderr: expect.stringContaining('it is an instance tag, put it on the instances instead'),
    },
    {
      case: 'no equals sign',
      argv: ['tag', 'x', '--set', 'phoenix:enabled'],
      stderr: '--set: "phoenix:enabled" is not valid: expected KEY=VALUE such as phoenix:enabled=dry-run',
    },
    { case: 'nothing to change', argv: ['tag', 'x'], stderr: 'phoenix tag: nothing to change: expected --set KEY=VALUE or --remove KEY (phoenix tag --help)' },
    {
      case: 'no glob',
      argv: ['tag', '--set', 'phoenix:enabled=true'],
      stderr: "phoenix tag: GLOB is missing: expected a group name or a glob such as 'web-*' first (phoenix tag --help)",
    },
  ])('$case: exit 2, one line, no AWS call', async ({ argv, stderr }) => {
    const result = await cli(argv, ENV);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
    expect(autoScaling.calls()).toHaveLength(0);
  });

  it('a glob that matches no group: exit 2 naming it, nothing written', async () => {
    givenGroups();
    const result = await cli(['tag', 'team-c-*', '--set', 'phoenix:enabled=dry-run', '--apply'], ENV);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'GLOB: "team-c-*" matches none of the 4 Auto Scaling groups in this account and region' });
    expect(autoScaling.commandCalls(CreateOrUpdateTagsCommand)).toHaveLength(0);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
