import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsInstances } from '../../../functions/adapters/instances.js';
import { EventError } from '../../../functions/app/errors.js';
import { runTaintProbe, TaintProbeRefusedError } from '../../../functions/app/taint-probe.js';
import { RecordingLogger } from '../../support/fakes.js';
import { NOW } from '../../support/fleet.js';

const ec2Mock = mockClient(EC2Client);
const INSTANCE = 'i-0123456789abcdef0';
const PROBE = { selftest: { action: 'taint-probe', instance: INSTANCE } };

afterEach(() => ec2Mock.reset());

function deps() {
  return {
    instances: new AwsInstances({ autoScaling: new AutoScalingClient({ region: 'eu-west-1' }), ec2: new EC2Client({ region: 'eu-west-1' }) }),
    logger: new RecordingLogger(),
    now: () => NOW,
  };
}

function instanceWith(tags: Record<string, string>): void {
  ec2Mock
    .on(DescribeInstancesCommand)
    .resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] }] });
}

const refusal = (name: string) =>
  Object.assign(new Error('You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized'), { name });

describe('runTaintProbe', () => {
  it.each(['UnauthorizedOperation', 'AccessDenied'])(
    'tries the tainter own write on the standalone self-test instance and answers the refusal (%s)',
    async (name) => {
      instanceWith({ 'phoenix:selftest': 'true', Name: 'phoenix-selftest-x-probe' });
      ec2Mock.on(CreateTagsCommand).rejects(refusal(name));
      const probe = deps();
      const answer = await runTaintProbe(probe, PROBE);
      expect(answer).toEqual({ selftest: 'taint-probe', instance: INSTANCE, refused: true, error: expect.stringMatching(new RegExp(`^${name}: You are not`)) });
      expect(ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
        { Resources: [INSTANCE], Tags: [{ Key: 'phoenix:tainted', Value: `at=${new Date(NOW).toISOString()};by=phoenix selftest;via=selftest` }] },
      ]);
      expect(probe.logger.lines.map((line) => `${line.level} ${line.message}`)).toEqual([
        'info self-test',
        'info self-test taint probe refused, as it must be',
      ]);
    },
  );

  it('a write that went through is answered as such and logged as an error', async () => {
    instanceWith({ 'phoenix:selftest': 'true' });
    ec2Mock.on(CreateTagsCommand).resolves({});
    const probe = deps();
    expect(await runTaintProbe(probe, PROBE)).toEqual({ selftest: 'taint-probe', instance: INSTANCE, refused: false, error: null });
    expect(probe.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'self-test taint probe went through: the role may tag an instance outside any group',
    });
  });

  it('any other failure of the write fails the invocation', async () => {
    instanceWith({ 'phoenix:selftest': 'true' });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
    ec2Mock.on(CreateTagsCommand).rejects(throttled);
    await expect(runTaintProbe(deps(), PROBE)).rejects.toBe(throttled);
  });

  it('an instance gone before the write fails the invocation: nothing was proven', async () => {
    instanceWith({ 'phoenix:selftest': 'true' });
    ec2Mock.on(CreateTagsCommand).rejects(Object.assign(new Error(`The instance ID '${INSTANCE}' does not exist`), { name: 'InvalidInstanceID.NotFound' }));
    await expect(runTaintProbe(deps(), PROBE)).rejects.toThrow(`instance ${INSTANCE} was gone before the taint probe's write`);
  });

  it.each([
    { case: 'an instance of a group', tags: { 'phoenix:selftest': 'true', 'aws:autoscaling:groupName': 'web' }, says: 'belongs to Auto Scaling group web' },
    { case: 'an instance without the self-test mark', tags: { Name: 'bastion' }, says: 'is not a self-test instance' },
  ])('refuses $case with the reason, and writes nothing', async ({ tags, says }) => {
    instanceWith(tags);
    const probe = deps();
    const refused = runTaintProbe(probe, PROBE);
    await expect(refused).rejects.toBeInstanceOf(TaintProbeRefusedError);
    await expect(refused).rejects.toThrow(says);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toEqual([]);
    expect(probe.logger.lines).toMatchObject([{ level: 'warn', message: 'self-test refused', fields: { instance: INSTANCE } }]);
  });

  it('refuses an instance EC2 does not know', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error(`The instance ID '${INSTANCE}' does not exist`), { name: 'InvalidInstanceID.NotFound' }));
    await expect(runTaintProbe(deps(), PROBE)).rejects.toThrow(`no instance ${INSTANCE} in this account and region`);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toEqual([]);
  });

  it('a malformed probe is an EventError naming the field, and reads nothing', async () => {
    const refused = runTaintProbe(deps(), { selftest: { action: 'taint-probe', instance: 'all' } });
    await expect(refused).rejects.toBeInstanceOf(EventError);
    await expect(refused).rejects.toThrow(/^event\.selftest\.instance="all": expected the id of the standalone instance/);
    expect(ec2Mock.calls()).toEqual([]);
  });
});
