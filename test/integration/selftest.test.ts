import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutDashboardCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { AwsSelftestCloud } from '../../functions/adapters/selftest-cloud.js';
import type { SelftestReport } from '../../functions/cli/selftest/checklist.js';
import type { RecyclerFacts, SelftestClock, SelftestCloud } from '../../functions/cli/selftest/ports.js';
import { selftestNames } from '../../functions/cli/selftest/resources.js';
import { InterruptedError } from '../../functions/cli/selftest/watch.js';
import { selftestCommand } from '../../functions/cli/selftest-command.js';
import { functionPrincipal, packagedTemplate } from '../deploy/roles.js';
import { REGION } from '../deploy/stack.js';
import { bundledRecycler, invokeBundle } from '../support/deployed-bundles.js';
import { type IamGate, startIamGate } from '../support/iam-gate.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';
import { motoEnvironment, run } from '../support/processes.js';

/**
 * The whole self-test against a deployed stack in moto: the CLI's own calls go to moto; the deployed
 * functions are the built bundles, invoked in this process in place of Lambda; the recycler's fleet
 * writes pass an IAM-evaluating gate that judges them by the recycler role's real policies from the
 * packaged template, as AWS would; and the test's clock delivers Auto Scaling's events to the
 * verifier at every wait, as EventBridge would.
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

let work: string;
let gate: IamGate | undefined;
let principal: ReturnType<typeof functionPrincipal>;

beforeAll(async () => {
  // The bundles under test are the ones this checkout builds, and the role is the one it packages.
  const build = await run('node', ['scripts/build.mjs']);
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
  work = mkdtempSync(join(tmpdir(), 'phoenix-selftest-'));
  principal = functionPrincipal(await packagedTemplate(work), 'recycler');
}, 180_000);

afterAll(async () => {
  await gate?.stop();
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
}

async function runSelftest(options: { mode?: string; args?: readonly string[]; cloud?: (cloud: SelftestCloud) => SelftestCloud } = {}): Promise<World> {
  const { endpoint } = moto();
  await deployStack(endpoint, options.mode ?? 'live');
  await gate?.stop();
  gate = await startIamGate(endpoint, principal);
  const config = { ...MOTO_CLIENT_CONFIG, endpoint };
  const start = Date.now();
  const names = selftestNames(start);
  const verifierErrors: unknown[] = [];
  let now = start;
  const clock: SelftestClock = {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw new InterruptedError();
      now += ms;
      // EventBridge: Auto Scaling's launch and terminate events for the subject go to the verifier.
      const event = {
        source: 'aws.autoscaling',
        'detail-type': 'EC2 Instance Launch Successful',
        time: new Date().toISOString(),
        detail: { AutoScalingGroupName: names.subject },
      };
      await invokeBundle('verifier', functionEnvironment(endpoint), event).catch((error: unknown) => verifierErrors.push(error));
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
  const recycler = bundledRecycler(FACTS, { ...functionEnvironment(endpoint), AWS_ENDPOINT_URL: gate.endpoint });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await selftestCommand(
    ['--stage', STAGE, '--region', REGION, '--yes', '--json', ...(options.args ?? [])],
    { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) },
    async () => ({ cloud, recycler, clock, progress: (line) => stderr.push(line), region: REGION, confirm: undefined, signal: new AbortController().signal }),
  );
  return { code, report: JSON.parse(stdout.join('\n')) as SelftestReport, stderr, verifierErrors, names };
}

async function leftBehind(): Promise<{ groups: string[]; templates: string[] }> {
  const config = { ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint };
  const groups = await new AutoScalingClient(config).send(new DescribeAutoScalingGroupsCommand({}));
  const templates = await new EC2Client(config).send(new DescribeLaunchTemplatesCommand({}));
  return {
    groups: (groups.AutoScalingGroups ?? []).map((group) => group.AutoScalingGroupName ?? ''),
    templates: (templates.LaunchTemplates ?? []).map((template) => template.LaunchTemplateName ?? ''),
  };
}

describe('phoenix selftest against a deployed stack in moto', () => {
  it('passes every check with the built functions, sees IAM refuse the recycler on the decoy, and leaves nothing behind', async () => {
    const world = await runSelftest();
    expect(world.report.checks.filter((check) => !check.passed)).toEqual([]);
    expect(world.code).toBe(0);
    expect(world.report.checks.map((check) => check.step)).toEqual([
      'a throwaway launch template',
      'two self-test groups, one opted in and one decoy',
      'each group has an instance InService and Healthy',
      'the recycler starts a replacement of the subject (self-test event)',
      'the extra instance is InService and Healthy',
      'the old instance is terminated through Auto Scaling',
      'the replacement is verified in the ledger',
      'Instance Recycled and Recovery Verified are on the bus',
      'IAM refuses the recycler on the decoy',
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
    expect(evidence['the mode parameter']).toBe(`${MODE_PARAMETER} = live`);
    // The gate judged what the recycler sent: its surge of the subject allowed, its probe of the decoy refused.
    expect(gate?.judgements).toEqual([
      { action: 'SetDesiredCapacity', group: world.names.subject, decision: 'Allowed' },
      { action: 'SetDesiredCapacity', group: world.names.decoy, decision: 'ImplicitlyDenied' },
    ]);
    expect(world.verifierErrors).toEqual([]);
    expect(world.report.cleanup).toMatchObject({ kept: false, failures: [] });
    expect(await leftBehind()).toEqual({ groups: [], templates: [] });
    // Said before anything was made: what, the cost, the duration.
    expect(world.stderr.slice(0, 8).join('\n')).toMatch(/cost: .*\nduration: .*\nglobal mode: live/);
  }, 120_000);

  it('in dry-run the replacement checks fail saying why, the other checks still run, and everything is removed (exit 1)', async () => {
    const world = await runSelftest({ mode: 'dry-run' });
    expect(world.code).toBe(1);
    const failed = world.report.checks.filter((check) => !check.passed);
    expect(failed.map((check) => check.step)).toEqual(['the recycler starts a replacement of the subject (self-test event)']);
    expect(failed[0]?.evidence).toMatch(/^the recycler decided dry-run for \S+-subject: would recycle i-\w+, but the global mode is dry-run$/);
    expect(world.report.checks.map((check) => check.step)).toContain('IAM refuses the recycler on the decoy');
    expect(await leftBehind()).toEqual({ groups: [], templates: [] });
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
    expect(world.report.resources).toEqual({ launchTemplate: world.names.launchTemplate, groups: [world.names.subject, world.names.decoy] });
    expect(await leftBehind()).toEqual({ groups: [], templates: [] });
  }, 120_000);

  it('--keep leaves the groups and the template, and says how to remove them', async () => {
    const world = await runSelftest({ args: ['--keep'] });
    expect(world.code).toBe(0);
    expect(world.report.cleanup.kept).toBe(true);
    expect(world.report.cleanup.removal).toEqual([
      `aws autoscaling delete-auto-scaling-group --force-delete --auto-scaling-group-name ${world.names.subject} --region ${REGION}`,
      `aws autoscaling delete-auto-scaling-group --force-delete --auto-scaling-group-name ${world.names.decoy} --region ${REGION}`,
      `aws ec2 delete-launch-template --launch-template-name ${world.names.launchTemplate} --region ${REGION}`,
    ]);
    const left = await leftBehind();
    expect(left.groups.sort()).toEqual([world.names.decoy, world.names.subject]);
    expect(left.templates).toEqual([world.names.launchTemplate]);
  }, 120_000);
});
