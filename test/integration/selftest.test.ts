import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutDashboardCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { AwsSelftestCloud } from '../../functions/adapters/selftest-cloud.js';
import { CloudWatchVerifierLogs } from '../../functions/adapters/verifier-logs.js';
import type { SelftestReport } from '../../functions/cli/selftest/checklist.js';
import type { RecyclerFacts, SelftestClock, SelftestCloud, VerifierLogs } from '../../functions/cli/selftest/ports.js';
import { selftestNames } from '../../functions/cli/selftest/resources.js';
import { InterruptedError } from '../../functions/cli/selftest/watch.js';
import { selftestCommand } from '../../functions/cli/selftest-command.js';
import { functionPrincipal, type Principal, packagedTemplate } from '../deploy/roles.js';
import { REGION } from '../deploy/stack.js';
import { autoScalingEvents } from '../support/auto-scaling-events.js';
import { bundledRecycler, bundledTainter, invokeBundle, lambdaLogs } from '../support/deployed-bundles.js';
import { type IamGate, startIamGate } from '../support/iam-gate.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';
import { motoEnvironment, run } from '../support/processes.js';

/**
 * The whole self-test against a deployed stack in moto: the CLI's own calls go to moto; the deployed
 * functions are the built bundles, invoked in this process in place of Lambda, the verifier's output
 * written to its log group in moto as Lambda writes it; the recycler's fleet writes and the tainter's
 * tag writes pass IAM-evaluating gates that judge them by each role's real policies from the packaged
 * template, as AWS would; and at every wait the test's clock delivers Auto Scaling's launch and
 * terminate events for the subject to the verifier, as EventBridge would, or the verifier's schedule
 * when there are none.
 */

const moto = useMoto();
const STAGE = 'test';
const TABLE = `phoenix-${STAGE}-LedgerTable-SELFTEST1`;
const MODE_PARAMETER = `/phoenix/${STAGE}/mode`;
const STOP_ALARM = `phoenix-${STAGE}-latency`;
const FACTS: RecyclerFacts = {
  functionName: `phoenix-${STAGE}-recycler`,
  ledgerTable: TABLE,
  modeParameter: MODE_PARAMETER,
  fixedMode: undefined,
  stopAlarms: [STOP_ALARM],
};

const VERIFIER = `phoenix-${STAGE}-verifier`;
const TAINTER = `phoenix-${STAGE}-tainter`;

let work: string;
let gates: IamGate[] = [];
let principal: Principal;
let tainterPrincipal: Principal;

beforeAll(async () => {
  // The bundles under test are the ones this checkout builds, and the role is the one it packages.
  const build = await run('node', ['scripts/build.mjs']);
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
  work = mkdtempSync(join(tmpdir(), 'phoenix-selftest-'));
  const template = await packagedTemplate(work);
  principal = functionPrincipal(template, 'recycler');
  tainterPrincipal = functionPrincipal(template, 'tainter');
}, 180_000);

afterAll(async () => {
  for (const gate of gates) await gate.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

async function deployStack(endpoint: string, mode: string): Promise<void> {
  const config = { ...MOTO_CLIENT_CONFIG, endpoint };
  await new DynamoDBClient(config).send(new CreateTableCommand(ledgerTableInput(TABLE)));
  await new SSMClient(config).send(new PutParameterCommand({ Name: MODE_PARAMETER, Value: mode, Type: 'String' }));
  await new EventBridgeClient(config).send(new CreateEventBusCommand({ Name: `phoenix-${STAGE}` }));
  const cloudWatch = new CloudWatchClient(config);
  await cloudWatch.send(new PutDashboardCommand({ DashboardName: `phoenix-${STAGE}-${REGION}`, DashboardBody: '{"widgets":[]}' }));
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: STOP_ALARM,
      Namespace: 'Shop',
      MetricName: 'LatencyP99',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
}

function functionEnvironment(endpoint: string): Record<string, string> {
  return {
    ...motoEnvironment(endpoint),
    PHOENIX_LEDGER_TABLE: TABLE,
    PHOENIX_MODE_PARAMETER: MODE_PARAMETER,
    PHOENIX_EVENT_BUS: `phoenix-${STAGE}`,
    PHOENIX_STOP_ALARMS: STOP_ALARM,
    PHOENIX_STAGE: STAGE,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Moto does not record scaling activities; the old instance's leaving the group stands in for Auto Scaling's activity. */
function withoutActivities(cloud: SelftestCloud): SelftestCloud {
  return Object.assign(Object.create(cloud) as SelftestCloud, {
    terminationActivity: async (group: string, instanceId: string) => {
      const now = await cloud.describeGroup(group);
      return now !== undefined && !now.instances.some((instance) => instance.id === instanceId) ? `${instanceId} left ${group}` : undefined;
    },
  });
}

interface World {
  readonly code: number;
  readonly report: SelftestReport;
  readonly stderr: string[];
  readonly verifierErrors: unknown[];
  readonly names: ReturnType<typeof selftestNames>;
  readonly judged: { readonly recycler: IamGate['judgements']; readonly tainter: IamGate['judgements'] };
}

interface Options {
  readonly mode?: string;
  readonly args?: readonly string[];
  readonly cloud?: (cloud: SelftestCloud) => SelftestCloud;
  /** False: the stack's rule for Auto Scaling's events delivers nothing; only the verifier's schedule runs it. */
  readonly deliverEvents?: boolean;
  /** The tainter's role as the gate judges it (a widened one proves the check can fail). */
  readonly tainterRole?: Principal;
}

async function runSelftest(options: Options = {}): Promise<World> {
  const { endpoint } = moto();
  await deployStack(endpoint, options.mode ?? 'live');
  for (const gate of gates) await gate.stop();
  const [recyclerGate, tainterGate] = await Promise.all([startIamGate(endpoint, principal), startIamGate(endpoint, options.tainterRole ?? tainterPrincipal)]);
  gates = [recyclerGate, tainterGate];
  const config = { ...MOTO_CLIENT_CONFIG, endpoint };
  const start = Date.now();
  const names = selftestNames(start);
  const verifierErrors: unknown[] = [];
  const verifierOutput = lambdaLogs(endpoint, VERIFIER);
  const eventsSince = autoScalingEvents(endpoint, names.subject);
  const verifierEnvironment = { ...functionEnvironment(endpoint), POWERTOOLS_LOG_LEVEL: 'INFO' };
  let now = start;
  const clock: SelftestClock = {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw new InterruptedError();
      now += ms;
      // EventBridge: Auto Scaling's events for the subject go to the verifier; without any, its schedule runs it.
      const events = await eventsSince();
      const sweep = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: new Date().toISOString(), detail: {} };
      for (const event of options.deliverEvents === false || events.length === 0 ? [sweep] : events)
        await invokeBundle('verifier', verifierEnvironment, event, verifierOutput).catch((error: unknown) => verifierErrors.push(error));
    },
  };
  const real = new AwsSelftestCloud({
    autoScaling: new AutoScalingClient(config),
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
    cloudWatch: new CloudWatchClient(config),
    clock: () => Date.now(),
  });
  const cloud = (options.cloud ?? ((given) => given))(withoutActivities(real));
  const recycler = bundledRecycler(FACTS, { ...functionEnvironment(endpoint), AWS_ENDPOINT_URL: recyclerGate.endpoint });
  const tainter = bundledTainter(TAINTER, { ...functionEnvironment(endpoint), AWS_ENDPOINT_URL: tainterGate.endpoint });
  const logs = new CloudWatchVerifierLogs(new CloudWatchLogsClient(config), new LambdaClient(config), VERIFIER);
  // moto cannot run the verifier, so it is not deployed there as a function: its log group is read for real.
  const verifierLogs: VerifierLogs = {
    functionName: VERIFIER,
    logGroup: logs.logGroup,
    deployed: async () => true,
    receivedEvents: (since) => logs.receivedEvents(since),
  };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await selftestCommand(
    ['--stage', STAGE, '--region', REGION, '--yes', '--json', ...(options.args ?? [])],
    { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) },
    async () => ({
      cloud,
      recycler,
      tainter,
      verifierLogs,
      clock,
      progress: (line) => stderr.push(line),
      region: REGION,
      confirm: undefined,
      signal: new AbortController().signal,
    }),
  );
  const report = JSON.parse(stdout.join('\n')) as SelftestReport;
  return { code, report, stderr, verifierErrors, names, judged: { recycler: recyclerGate.judgements, tainter: tainterGate.judgements } };
}

async function leftBehind(): Promise<{ groups: string[]; templates: string[]; standalone: string[] }> {
  const config = { ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint };
  const groups = await new AutoScalingClient(config).send(new DescribeAutoScalingGroupsCommand({}));
  const templates = await new EC2Client(config).send(new DescribeLaunchTemplatesCommand({}));
  const standalone = await new EC2Client(config).send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:Name', Values: ['phoenix-selftest-*-standalone'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  );
  return {
    groups: (groups.AutoScalingGroups ?? []).map((group) => group.AutoScalingGroupName ?? ''),
    templates: (templates.LaunchTemplates ?? []).map((template) => template.LaunchTemplateName ?? ''),
    standalone: (standalone.Reservations ?? []).flatMap((reservation) => (reservation.Instances ?? []).map((instance) => instance.InstanceId ?? '')),
  };
}

const NOTHING_LEFT = { groups: [], templates: [], standalone: [] };

describe('phoenix selftest against a deployed stack in moto', () => {
  it('passes every check with the built functions, sees IAM refuse the recycler on the decoy and the tainter outside any group, and leaves nothing behind', async () => {
    const world = await runSelftest();
    expect(world.report.checks.filter((check) => !check.passed)).toEqual([]);
    expect(world.code).toBe(0);
    expect(world.report.checks.map((check) => check.step)).toEqual([
      'a throwaway launch template',
      'two self-test groups, one opted in and one decoy',
      'a standalone instance outside any group',
      'each group has an instance InService and Healthy',
      'the recycler starts a replacement of the subject (self-test event)',
      'the extra instance is InService and Healthy',
      'the old instance is terminated through Auto Scaling',
      "Auto Scaling's events reached the verifier",
      'the replacement is verified in the ledger',
      'Instance Recycled and Recovery Verified are on the bus',
      'IAM refuses the recycler on the decoy',
      'IAM refuses the tainter outside any group',
      'the mode parameter',
      'the stop alarms',
      'the dashboard',
    ]);
    const evidence = Object.fromEntries(world.report.checks.map((check) => [check.step, check.evidence]));
    expect(evidence['a throwaway launch template']).toMatch(/^lt-\w+ \(phoenix-selftest-\d{8}T\d{6}Z\): t4g\.nano, ami-\w+$/);
    expect(evidence['the recycler starts a replacement of the subject (self-test event)']).toMatch(/picked i-\w+ \(touched by phoenix selftest via selftest/);
    expect(evidence['IAM refuses the recycler on the decoy']).toMatch(
      /^SetDesiredCapacity on phoenix-selftest-\S+-decoy refused: AccessDenied: User: \S+ is not authorized to perform: autoscaling:SetDesiredCapacity/,
    );
    expect(evidence['IAM refuses the tainter outside any group']).toMatch(
      new RegExp(
        `^${TAINTER}'s CreateTags of phoenix:tainted on (i-\\w+) \\(outside any group\\) refused: UnauthorizedOperation: You are not authorized to perform this operation\\. User: \\S+ is not authorized to perform: ec2:CreateTags`,
      ),
    );
    expect(evidence["Auto Scaling's events reached the verifier"]).toMatch(
      new RegExp(
        `^EC2 Instance Terminate Successful for i-\\w+: event [\\w-]+ received by ${VERIFIER} at \\S+Z, [\\d.]+s after Auto Scaling's activity at \\S+; EC2 Instance Launch Successful for i-\\w+: event [\\w-]+ received by ${VERIFIER} at `,
      ),
    );
    expect(evidence['the mode parameter']).toBe(`${MODE_PARAMETER} = live`);
    // The gates judged what the functions sent: the recycler's surge of the subject allowed, its probe of the decoy
    // refused; the tainter's write on the standalone instance refused.
    expect(world.judged.recycler).toEqual([
      { action: 'SetDesiredCapacity', group: world.names.subject, decision: 'Allowed' },
      { action: 'SetDesiredCapacity', group: world.names.decoy, decision: 'ImplicitlyDenied' },
    ]);
    expect(world.judged.tainter).toEqual([{ action: 'CreateTags', instance: world.report.resources.instance, decision: 'ImplicitlyDenied' }]);
    expect(world.verifierErrors).toEqual([]);
    expect(world.report.cleanup).toMatchObject({ kept: false, failures: [] });
    expect(await leftBehind()).toEqual(NOTHING_LEFT);
    // Said before anything was made: what, the cost, the duration.
    expect(world.stderr.slice(0, 11).join('\n')).toMatch(/cost: .*\nduration: .*\nglobal mode: live/);
  }, 120_000);

  it('in dry-run the replacement checks fail saying why, the other checks still run, and everything is removed (exit 1)', async () => {
    const world = await runSelftest({ mode: 'dry-run' });
    expect(world.code).toBe(1);
    const failed = world.report.checks.filter((check) => !check.passed);
    expect(failed.map((check) => check.step)).toEqual(['the recycler starts a replacement of the subject (self-test event)']);
    expect(failed[0]?.evidence).toMatch(/^the recycler decided dry-run for \S+-subject: would recycle i-\w+, but the global mode is dry-run$/);
    expect(world.report.checks.map((check) => check.step)).toContain('IAM refuses the recycler on the decoy');
    expect(await leftBehind()).toEqual(NOTHING_LEFT);
  }, 120_000);

  it('cleans up what it made when a step fails mid-way (the decoy cannot be created)', async () => {
    const world = await runSelftest({
      cloud: (cloud) =>
        Object.assign(Object.create(cloud) as SelftestCloud, {
          createGroup: async (spec: Parameters<SelftestCloud['createGroup']>[0]) => {
            if (spec.name.endsWith('-decoy')) throw Object.assign(new Error('You have reached the limit of Auto Scaling groups'), { name: 'LimitExceeded' });
            return cloud.createGroup(spec);
          },
        }),
    });
    expect(world.code).toBe(1);
    expect(world.report.stoppedBecause).toBe('stopped after "two self-test groups, one opted in and one decoy" failed');
    expect(world.report.checks.at(-1)).toMatchObject({ passed: false, evidence: 'LimitExceeded: You have reached the limit of Auto Scaling groups' });
    expect(world.report.resources).toEqual({
      launchTemplate: world.names.launchTemplate,
      groups: [world.names.subject, world.names.decoy],
      instance: undefined,
    });
    expect(await leftBehind()).toEqual(NOTHING_LEFT);
  }, 120_000);

  it('--keep leaves the standalone instance, the groups and the template, and says how to remove them', async () => {
    const world = await runSelftest({ args: ['--keep'] });
    expect(world.code).toBe(0);
    expect(world.report.cleanup.kept).toBe(true);
    expect(world.report.cleanup.removal).toEqual([
      `aws ec2 terminate-instances --instance-ids ${world.report.resources.instance} --region ${REGION}`,
      `aws autoscaling delete-auto-scaling-group --force-delete --auto-scaling-group-name ${world.names.subject} --region ${REGION}`,
      `aws autoscaling delete-auto-scaling-group --force-delete --auto-scaling-group-name ${world.names.decoy} --region ${REGION}`,
      `aws ec2 delete-launch-template --launch-template-name ${world.names.launchTemplate} --region ${REGION}`,
    ]);
    const left = await leftBehind();
    expect(left.groups.sort()).toEqual([world.names.decoy, world.names.subject]);
    expect(left.templates).toEqual([world.names.launchTemplate]);
    expect(left.standalone).toEqual([world.report.resources.instance]);
  }, 120_000);

  it('fails the tainter check when its role would let it tag an instance outside any group (the check can fail)', async () => {
    const widened: Principal = {
      ...tainterPrincipal,
      policies: [
        ...tainterPrincipal.policies,
        { name: 'widened', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*' }] } },
      ],
    };
    const world = await runSelftest({ tainterRole: widened });
    expect(world.code).toBe(1);
    expect(world.report.checks.filter((check) => !check.passed)).toEqual([
      expect.objectContaining({
        step: 'IAM refuses the tainter outside any group',
        evidence: expect.stringMatching(/went through: the role's condition \(instances of Auto Scaling groups only\) does not hold in this account$/),
      }),
    ]);
    expect(world.judged.tainter).toEqual([{ action: 'CreateTags', instance: world.report.resources.instance, decision: 'Allowed' }]);
    expect(await leftBehind()).toEqual(NOTHING_LEFT);
  }, 120_000);

  it("fails the delivery check when Auto Scaling's events never reach the verifier, though its schedule still verifies the record", async () => {
    const world = await runSelftest({ deliverEvents: false });
    expect(world.code).toBe(1);
    const failed = world.report.checks.filter((check) => !check.passed);
    expect(failed.map((check) => check.step)).toEqual(["Auto Scaling's events reached the verifier"]);
    expect(failed[0]?.evidence).toMatch(
      new RegExp(
        `^no EC2 Instance Terminate Successful for i-\\w+ and no EC2 Instance Launch Successful for i-\\w+ in /aws/lambda/${VERIFIER} within 10 minutes: Auto Scaling's events did not reach ${VERIFIER}`,
      ),
    );
    expect(world.report.checks.find((check) => check.step === 'the replacement is verified in the ledger')?.passed).toBe(true);
    expect(world.verifierErrors).toEqual([]);
  }, 120_000);
});
