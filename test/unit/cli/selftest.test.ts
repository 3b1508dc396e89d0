import { describe, expect, it } from 'vitest';
import { DeploymentError, UsageError } from '../../../functions/cli/errors.js';
import { failureLine } from '../../../functions/cli/failures.js';
import type { SelftestReport } from '../../../functions/cli/selftest/checklist.js';
import { formatReport } from '../../../functions/cli/selftest/checklist.js';
import type {
  DeployedRecycler,
  DeployedTainter,
  InvokeResult,
  ReceivedEventLine,
  RecyclerFacts,
  SelftestClock,
  SelftestCloud,
  VerifierLogs,
} from '../../../functions/cli/selftest/ports.js';
import { InterruptedError } from '../../../functions/cli/selftest/watch.js';
import { type SelftestSession, selftestCommand } from '../../../functions/cli/selftest-command.js';
import type { Group, ReplacementRecord } from '../../../functions/core/model.js';
import { MINUTE } from '../../../functions/core/model.js';
import { group, instance, NOW, record } from '../../support/fleet.js';

const FACTS: RecyclerFacts = {
  functionName: 'phoenix-prod-recycler',
  ledgerTable: 'phoenix-prod-LedgerTable-X',
  modeParameter: '/phoenix/prod/mode',
  fixedMode: undefined,
  stopAlarms: [],
};

const denied = (message: string): Error => Object.assign(new Error(message), { name: 'AccessDenied' });

/**
 * An account in memory: groups come up at once with one InService instance each; the recycler's
 * answers and every call are scripted and recorded; any method can be made to fail.
 */
class FakeCloud implements SelftestCloud {
  readonly calls: string[] = [];
  readonly groups = new Map<string, Group>();
  readonly failing = new Map<string, Error>();
  subnets: readonly string[] | undefined = ['subnet-0a1b2c3d'];
  mode: string | undefined = 'live';
  records: ReplacementRecord[] = [];

  private enter(call: string): void {
    this.calls.push(call);
    const error = this.failing.get(call.split(' ')[0] as string);
    if (error !== undefined) throw error;
  }

  async latestArm64Image() {
    this.enter('latestArm64Image');
    return 'ami-0123';
  }
  async cheapestArm64Type() {
    this.enter('cheapestArm64Type');
    return 't4g.nano';
  }
  async defaultSubnets() {
    this.enter('defaultSubnets');
    return this.subnets;
  }
  async createLaunchTemplate(name: string) {
    this.enter(`createLaunchTemplate ${name}`);
    return 'lt-0abc';
  }
  async deleteLaunchTemplate(name: string) {
    this.enter(`deleteLaunchTemplate ${name}`);
  }
  async createGroup(spec: { name: string }) {
    this.enter(`createGroup ${spec.name}`);
    this.groups.set(spec.name, group({ name: spec.name, size: 1, instances: [instance({ id: `i-${spec.name.slice(-6)}` })] }));
  }
  async deleteGroup(name: string) {
    this.enter(`deleteGroup ${name}`);
    this.groups.delete(name);
  }
  async describeGroup(name: string) {
    this.enter(`describeGroup ${name}`);
    return this.groups.get(name);
  }
  async launchInstance(spec: { tags: Readonly<Record<string, string>> }) {
    this.enter(`launchInstance ${spec.tags['Name'] ?? ''}`);
    return 'i-0standalone';
  }
  async instanceState(id: string): Promise<string | undefined> {
    this.enter(`instanceState ${id}`);
    return 'running';
  }
  async terminateInstance(id: string) {
    this.enter(`terminateInstance ${id}`);
  }
  async tagInstance(id: string) {
    this.enter(`tagInstance ${id}`);
  }
  async terminationActivity(): Promise<string | undefined> {
    this.enter('terminationActivity');
    return undefined;
  }
  async groupRecords() {
    this.enter('groupRecords');
    return this.records;
  }
  async parameterValue(name: string) {
    this.enter(`parameterValue ${name}`);
    return this.mode;
  }
  async alarmStates() {
    this.enter('alarmStates');
    return new Map<string, string>();
  }
  async dashboardExists() {
    this.enter('dashboardExists');
    return true;
  }
}

class FakeRecycler implements DeployedRecycler {
  facts_: RecyclerFacts | undefined = FACTS;
  factsError: Error | undefined;
  readonly invoked: string[] = [];
  answers: Record<string, InvokeResult> = {
    recycle: { ok: true, answer: { decision: 'skip', why: 'not terminating: outside window' } },
    'iam-probe': { ok: true, answer: { refused: true, error: 'AccessDenied: no' } },
  };

  async facts() {
    if (this.factsError !== undefined) throw this.factsError;
    return this.facts_;
  }
  async invoke(request: { action: string; group: string }) {
    this.invoked.push(`${request.action} ${request.group}`);
    return this.answers[request.action] as InvokeResult;
  }
}

class FakeTainter implements DeployedTainter {
  readonly functionName = 'phoenix-prod-tainter';
  isDeployed = true;
  readonly invoked: string[] = [];
  answer: InvokeResult = {
    ok: true,
    answer: {
      refused: true,
      error: 'UnauthorizedOperation: You are not authorized to perform this operation. User: x is not authorized to perform: ec2:CreateTags',
    },
  };

  async deployed() {
    return this.isDeployed;
  }
  async invoke(request: { action: string; instance: string }) {
    this.invoked.push(`${request.action} ${request.instance}`);
    return this.answer;
  }
}

class FakeVerifierLogs implements VerifierLogs {
  readonly functionName = 'phoenix-prod-verifier';
  readonly logGroup = '/aws/lambda/phoenix-prod-verifier';
  isDeployed = true;
  failure: Error | undefined;
  lines: readonly ReceivedEventLine[] | undefined = [];
  readonly reads: number[] = [];

  async deployed() {
    return this.isDeployed;
  }
  async receivedEvents(since: number) {
    this.reads.push(since);
    if (this.failure !== undefined) throw this.failure;
    return this.lines;
  }
}

/** A clock that jumps; `onSleep` lets a test act during a wait (an interrupt). */
function fakeClock(onSleep: () => void = () => undefined): SelftestClock {
  let now = NOW;
  return {
    now: () => now,
    sleep: async (ms, signal) => {
      onSleep();
      if (signal.aborted) throw new InterruptedError();
      now += ms;
    },
  };
}

interface Setup {
  readonly cloud: FakeCloud;
  readonly recycler: FakeRecycler;
  readonly tainter: FakeTainter;
  readonly verifierLogs: FakeVerifierLogs;
  readonly confirm?: SelftestSession['confirm'];
  readonly clock?: SelftestClock;
  readonly controller?: AbortController;
}

async function selftest(args: readonly string[], setup: Partial<Setup> = {}) {
  const cloud = setup.cloud ?? new FakeCloud();
  const recycler = setup.recycler ?? new FakeRecycler();
  const tainter = setup.tainter ?? new FakeTainter();
  const verifierLogs = setup.verifierLogs ?? new FakeVerifierLogs();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const connected: string[] = [];
  const run = selftestCommand(args, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) }, async (aws, stage) => {
    connected.push(`${stage} ${aws.region ?? ''}`);
    return {
      cloud,
      recycler,
      tainter,
      verifierLogs,
      clock: setup.clock ?? fakeClock(),
      progress: (line) => stderr.push(line),
      region: aws.region ?? 'eu-west-1',
      confirm: setup.confirm,
      signal: (setup.controller ?? new AbortController()).signal,
    };
  });
  const outcome = await run.then(
    (code) => ({ code, error: undefined }),
    (error: unknown) => ({ code: undefined, error }),
  );
  return { ...outcome, stdout, stderr, cloud, recycler, tainter, verifierLogs, connected };
}

const made = (calls: readonly string[]) => calls.filter((call) => /^create/.test(call));

describe('phoenix selftest: bad arguments are refused before anything is read (exit 2)', () => {
  it.each([
    {
      case: 'a subnet id that is not one',
      args: ['--subnets', 'subnet-0a1b2c3d,vpc-1234'],
      says: /^--subnets: "vpc-1234" is not valid: expected subnet ids separated by commas/,
    },
    { case: 'a stage with a slash', args: ['--stage', 'prod/eu'], says: /^--stage: "prod\/eu" is not valid: expected letters, digits and hyphens/ },
    { case: 'an unknown option', args: ['--ye'], says: /^phoenix selftest: unknown option --ye: did you mean --yes\?/ },
    { case: 'a positional argument', args: ['prod'], says: /^phoenix selftest: unexpected argument "prod"/ },
    { case: 'an empty stage', args: ['--stage', ' '], says: /^--stage: expected a non-empty value$/ },
    { case: '--plan with --yes', args: ['--plan', '--yes'], says: /^--plan: makes nothing, so --yes and --keep have nothing to do/ },
  ])('$case', async ({ args, says }) => {
    const result = await selftest(args);
    expect(result.error).toBeInstanceOf(UsageError);
    expect((result.error as Error).message).toMatch(says);
    expect(result.connected).toEqual([]);
  });

  it('without --yes and with no terminal to ask, states the run and refuses to start', async () => {
    const result = await selftest(['--stage', 'prod']);
    expect(result.error).toBeInstanceOf(UsageError);
    expect((result.error as Error).message).toBe('phoenix selftest: no terminal to ask for confirmation: pass --yes to run it as stated above');
    expect(result.stderr.join('\n')).toMatch(/cost: /);
    expect(made(result.cloud.calls)).toEqual([]);
  });
});

describe('phoenix selftest: partial deployments and missing permissions get one line and change nothing (exit 1)', () => {
  const oneLine = (error: unknown): string => failureLine(error, { profile: undefined, endpoint: undefined });

  it('no stack of the stage in the region', async () => {
    const recycler = new FakeRecycler();
    recycler.facts_ = undefined;
    const result = await selftest(['--stage', 'prod', '--region', 'eu-west-1', '--yes'], { recycler });
    expect(result.error).toBeInstanceOf(DeploymentError);
    expect(oneLine(result.error)).toBe(
      'no Phoenix stack of stage prod in eu-west-1: its recycler function phoenix-prod-recycler was not found (deploy with npx osls deploy --stage prod --region eu-west-1, or pass the --stage and --region it was deployed with)',
    );
    expect(made(result.cloud.calls)).toEqual([]);
  });

  it("the caller may not read the recycler's configuration", async () => {
    const recycler = new FakeRecycler();
    recycler.factsError = denied('User alice is not authorized to perform: lambda:GetFunctionConfiguration');
    const result = await selftest(['--stage', 'prod', '--yes'], { recycler });
    expect(result.error).toBeInstanceOf(DeploymentError);
    const line = oneLine(result.error);
    expect(line).toMatch(
      /^your credentials may not read the recycler's configuration \(AccessDenied\): phoenix selftest runs with your own credentials and needs lambda:GetFunctionConfiguration, lambda:InvokeFunction, /,
    );
    expect(line).not.toContain('\n');
    expect(made(result.cloud.calls)).toEqual([]);
  });

  it('the caller may not describe the VPCs', async () => {
    const cloud = new FakeCloud();
    cloud.failing.set('defaultSubnets', Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    const result = await selftest(['--yes'], { cloud });
    expect(oneLine(result.error)).toMatch(/^your credentials may not describe the default VPC and its subnets \(UnauthorizedOperation\)/);
    expect(made(cloud.calls)).toEqual([]);
  });

  it('no default VPC, and no --subnets', async () => {
    const cloud = new FakeCloud();
    cloud.subnets = undefined;
    const result = await selftest(['--region', 'eu-west-1', '--yes'], { cloud });
    expect(oneLine(result.error)).toBe(
      'no default VPC with default subnets in eu-west-1: pass --subnets with the subnet ids the two throwaway groups may launch in',
    );
    expect(made(cloud.calls)).toEqual([]);
  });

  it('--subnets needs no default VPC', async () => {
    const cloud = new FakeCloud();
    cloud.subnets = undefined;
    const result = await selftest(['--subnets', 'subnet-0a1b2c3d,subnet-4e5f6a7b', '--yes'], { cloud });
    expect(result.error).toBeUndefined();
    expect(cloud.calls).not.toContain('defaultSubnets');
  });
});

describe('phoenix selftest: the run', () => {
  it('states what it makes, the cost and the duration first, and makes nothing when the person says no', async () => {
    const questions: string[] = [];
    const result = await selftest(['--stage', 'prod'], {
      confirm: async (question) => {
        questions.push(question);
        return false;
      },
    });
    expect(result.code).toBe(1);
    expect(questions).toEqual(['go ahead? [y/N] ']);
    const said = result.stderr.join('\n');
    expect(said).toMatch(/^phoenix selftest, stage prod in eu-west-1, with your own credentials:/);
    expect(said).toMatch(/\ncost: .*\nduration: about 10 to 15 minutes/);
    expect(said).toMatch(/nothing was made$/);
    expect(made(result.cloud.calls)).toEqual([]);
  });

  it('--plan checks the deployment, prints what a run would make, cost and take, and makes nothing (exit 0)', async () => {
    const result = await selftest(['--stage', 'prod', '--plan']);
    expect(result.code).toBe(0);
    expect(result.stdout.join('\n')).toMatch(
      /^phoenix selftest, stage prod in eu-west-1, with your own credentials:\n[\s\S]*\ncost: [\s\S]*\nglobal mode: live$/,
    );
    expect(result.stdout.join('\n')).toContain('one standalone instance of that template, tagged phoenix:selftest=true, outside any group, in subnet-0a1b2c3d');
    expect(made(result.cloud.calls)).toEqual([]);
    expect(result.recycler.invoked).toEqual([]);
  });

  it('--plan still stops at a partial deployment', async () => {
    const recycler = new FakeRecycler();
    recycler.facts_ = undefined;
    const result = await selftest(['--plan'], { recycler });
    expect(result.error).toBeInstanceOf(DeploymentError);
  });

  it('warns before it starts when the account is not live', async () => {
    const cloud = new FakeCloud();
    cloud.mode = 'dry-run';
    const result = await selftest(['--stage', 'prod'], { cloud, confirm: async () => false });
    expect(result.stderr.join('\n')).toMatch(/global mode: dry-run\nnot live: the recycler will only decide/);
  });

  it('a replacement the recycler does not start fails its check with the reason, skips the rest of that chain, runs the others, and cleans up (exit 1)', async () => {
    const result = await selftest(['--stage', 'prod', '--yes']);
    expect(result.code).toBe(1);
    const lines = result.stdout.join('\n').split('\n');
    expect(lines.filter((line) => /^(PASS|FAIL)/.test(line)).map((line) => line.replace(/ \([\d.]+s\):.*/, ''))).toEqual([
      'PASS  a throwaway launch template',
      'PASS  two self-test groups, one opted in and one decoy',
      'PASS  a standalone instance outside any group',
      'PASS  each group has an instance InService and Healthy',
      'FAIL  the recycler starts a replacement of the subject (self-test event)',
      'PASS  IAM refuses the recycler on the decoy',
      'PASS  IAM refuses the tainter outside any group',
      'PASS  the mode parameter',
      'PASS  the stop alarms',
      'PASS  the dashboard',
    ]);
    expect(lines).toContainEqual(
      expect.stringMatching(/^FAIL .*: the recycler decided skip for phoenix-selftest-\S+-subject: not terminating: outside window$/),
    );
    expect(result.cloud.calls.filter((call) => /^(delete|terminate)/.test(call))).toHaveLength(4);
    expect(result.cloud.calls).toContain('terminateInstance i-0standalone');
    expect(result.cloud.groups.size).toBe(0);
    expect(lines.at(-1)).toBe('phoenix selftest failed: 1 of 10 checks failed');
  });

  it('a recycler the IAM probe went through fails that check, naming what it proves', async () => {
    const recycler = new FakeRecycler();
    recycler.answers['iam-probe'] = { ok: true, answer: { refused: false, error: null } };
    const result = await selftest(['--yes', '--json'], { recycler });
    const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
    expect(report.checks.find((check) => check.step === 'IAM refuses the recycler on the decoy')).toMatchObject({
      passed: false,
      evidence: expect.stringMatching(/went through: the role's tag condition does not hold in this account$/),
    });
  });

  it('an interrupt during a wait stops at once and still removes everything it made', async () => {
    const controller = new AbortController();
    const cloud = new FakeCloud();
    // The instances never come up: the run waits, and the person presses Ctrl-C.
    cloud.describeGroup = async () => undefined;
    const result = await selftest(['--yes', '--json'], { cloud, controller, clock: fakeClock(() => controller.abort()) });
    const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
    expect(result.code).toBe(1);
    expect(report.stoppedBecause).toBe('interrupted: cleaning up');
    expect(cloud.calls.filter((call) => /^(delete|terminate)/.test(call)).sort()).toEqual(
      [
        'terminateInstance i-0standalone',
        `deleteGroup ${report.resources.groups[1]}`,
        `deleteGroup ${report.resources.groups[0]}`,
        `deleteLaunchTemplate ${report.resources.launchTemplate}`,
      ].sort(),
    );
  });

  it('a removal that fails is reported with the commands that finish it, and fails the run', async () => {
    const recycler = new FakeRecycler();
    const cloud = new FakeCloud();
    cloud.failing.set('deleteLaunchTemplate', denied('not authorized to perform: ec2:DeleteLaunchTemplate'));
    const result = await selftest(['--yes'], { cloud, recycler });
    const text = result.stdout.join('\n');
    expect(result.code).toBe(1);
    expect(text).toMatch(
      /\ncleanup failed: phoenix-selftest-\S+: AccessDenied: not authorized to perform: ec2:DeleteLaunchTemplate\nremove what is left with:\n {2}aws ec2 terminate-instances --instance-ids i-0standalone --region eu-west-1\n {2}aws autoscaling delete-auto-scaling-group/,
    );
  });

  it('a replacement its schedule started moments before the request counts as started', async () => {
    const recycler = new FakeRecycler();
    recycler.answers['recycle'] = { ok: true, answer: { decision: 'progress', why: 'replacement in flight: wait' } };
    const cloud = new FakeCloud();
    const realCreate = cloud.createGroup.bind(cloud);
    cloud.createGroup = async (spec) => {
      await realCreate(spec);
      const group_ = cloud.groups.get(spec.name) as Group;
      cloud.groups.set(spec.name, { ...group_, desired: 2 });
    };
    const result = await selftest(['--yes', '--json'], { cloud, recycler });
    const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
    expect(report.checks.find((check) => check.step === 'the recycler starts a replacement of the subject (self-test event)')).toMatchObject({
      passed: true,
      evidence: expect.stringMatching(/found the replacement of i-\w+ already started by its schedule; desired capacity 1 -> 2$/),
    });
  });

  it('a recorded replacement that failed is a failed ledger check with its detail', async () => {
    const recycler = new FakeRecycler();
    recycler.answers['recycle'] = { ok: true, answer: { decision: 'start', why: 'touched' } };
    const cloud = new FakeCloud();
    const realCreate = cloud.createGroup.bind(cloud);
    // Desired capacity goes to 2 with an extra instance, the old one leaves, and the record closes failed.
    cloud.createGroup = async (spec) => {
      await realCreate(spec);
      const made_ = cloud.groups.get(spec.name) as Group;
      cloud.groups.set(spec.name, { ...made_, desired: 2, instances: [...made_.instances, instance({ id: 'i-extra' })] });
    };
    cloud.terminationActivity = async () => 'Terminating EC2 instance: i-old';
    cloud.records = [record({ group: 'x', phase: 'failed', detail: 'recovery timed out after 15m', startedAt: NOW, closedAt: NOW + 20 * MINUTE })];
    const result = await selftest(['--yes', '--json'], { cloud, recycler });
    const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
    expect(report.checks.find((check) => check.step === 'the replacement is verified in the ledger')).toMatchObject({
      passed: false,
      evidence: expect.stringMatching(/closed failed: recovery timed out after 15m$/),
    });
  });
});

/** A run whose replacement goes all the way (old instance i-ubject out, i-extra in), so the checks after it are reached. */
function replacingCloud(): FakeCloud {
  const cloud = new FakeCloud();
  const realCreate = cloud.createGroup.bind(cloud);
  cloud.createGroup = async (spec) => {
    await realCreate(spec);
    const made_ = cloud.groups.get(spec.name) as Group;
    cloud.groups.set(spec.name, { ...made_, desired: 2, instances: [...made_.instances, instance({ id: 'i-extra' })] });
  };
  cloud.terminationActivity = async () => 'Terminating EC2 instance: i-ubject';
  return cloud;
}

const startingRecycler = (): FakeRecycler => {
  const recycler = new FakeRecycler();
  recycler.answers['recycle'] = { ok: true, answer: { decision: 'start', why: 'touched' } };
  return recycler;
};

const line = (detailType: string, instanceId: string, group: string, eventTime: string, receivedAt: number): ReceivedEventLine => ({
  detailType,
  group,
  instanceId,
  eventId: `event-${instanceId}`,
  eventTime,
  receivedAt,
});

async function checkOf(step: string, setup: Partial<Setup>) {
  const result = await selftest(['--yes', '--json'], setup);
  const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
  return { result, report, check: report.checks.find((check) => check.step === step) };
}

describe("phoenix selftest: Auto Scaling's events reached the verifier, as its own log says", () => {
  const STEP = "Auto Scaling's events reached the verifier";
  const SUBJECT = 'phoenix-selftest-20261123T120000Z-subject';

  it("passes on the old instance's termination and the extra one's launch, naming the event ids, when the verifier got each and how late", async () => {
    const verifierLogs = new FakeVerifierLogs();
    verifierLogs.lines = [
      line('EC2 Instance Launch Successful', 'i-extra', SUBJECT, '2026-11-23T12:01:00Z', Date.parse('2026-11-23T12:01:02.500Z')),
      line('EC2 Instance Terminate Successful', 'i-ubject', SUBJECT, '2026-11-23T12:03:05Z', Date.parse('2026-11-23T12:03:07Z')),
    ];
    const { check } = await checkOf(STEP, { cloud: replacingCloud(), recycler: startingRecycler(), verifierLogs });
    expect(check).toMatchObject({
      passed: true,
      evidence:
        "EC2 Instance Terminate Successful for i-ubject: event event-i-ubject received by phoenix-prod-verifier at 2026-11-23T12:03:07.000Z, 2s after Auto Scaling's activity at 2026-11-23T12:03:05Z; " +
        "EC2 Instance Launch Successful for i-extra: event event-i-extra received by phoenix-prod-verifier at 2026-11-23T12:01:02.500Z, 2.5s after Auto Scaling's activity at 2026-11-23T12:01:00Z",
    });
    // The window opens before the run, for a clock behind the one the log stamps its lines with.
    expect(Math.min(...verifierLogs.reads)).toBeLessThan(NOW);
  });

  it('fails when the verifier never logged the termination, saying what it did log, while the rest of the chain goes on', async () => {
    const verifierLogs = new FakeVerifierLogs();
    verifierLogs.lines = [
      line('EC2 Instance Launch Successful', 'i-extra', SUBJECT, '2026-11-23T12:01:00Z', NOW),
      line('EC2 Instance Terminate Successful', 'i-ubject', 'another-group', '2026-11-23T12:03:05Z', NOW),
    ];
    const { check, report } = await checkOf(STEP, { cloud: replacingCloud(), recycler: startingRecycler(), verifierLogs });
    expect(check).toMatchObject({
      passed: false,
      evidence: `no EC2 Instance Terminate Successful for i-ubject in /aws/lambda/phoenix-prod-verifier within 10 minutes: Auto Scaling's events did not reach phoenix-prod-verifier (its EventBridge rule for aws.autoscaling); it logged EC2 Instance Launch Successful for i-extra`,
    });
    expect(report.checks.map((each) => each.step)).toContain('the replacement is verified in the ledger');
    expect(verifierLogs.reads.length).toBeGreaterThan(1);
  });

  it('fails when the log group does not exist: the verifier never ran', async () => {
    const verifierLogs = new FakeVerifierLogs();
    const { check } = await checkOf(STEP, { cloud: replacingCloud(), recycler: startingRecycler(), verifierLogs });
    expect(check?.passed).toBe(false);
    verifierLogs.lines = undefined;
    const again = await checkOf(STEP, { cloud: replacingCloud(), recycler: startingRecycler(), verifierLogs });
    expect(again.check).toMatchObject({
      passed: false,
      evidence: '/aws/lambda/phoenix-prod-verifier does not exist: phoenix-prod-verifier has never run, so no event of Auto Scaling reached it',
    });
  });
});

describe('phoenix selftest: IAM refuses the tainter on the standalone instance', () => {
  const STEP = 'IAM refuses the tainter outside any group';

  it('launches the instance tagged as the self-test, outside any group, and passes on the refusal with the AWS error', async () => {
    const { check, result } = await checkOf(STEP, {});
    expect(result.cloud.calls).toContain('launchInstance phoenix-selftest-20261123T120000Z-standalone');
    expect(result.tainter.invoked).toEqual(['taint-probe i-0standalone']);
    expect(check).toMatchObject({
      passed: true,
      evidence: expect.stringMatching(
        /^phoenix-prod-tainter's CreateTags of phoenix:tainted on i-0standalone \(outside any group\) refused: UnauthorizedOperation: You are not authorized/,
      ),
    });
  });

  it('fails when the write went through, naming what it proves', async () => {
    const tainter = new FakeTainter();
    tainter.answer = { ok: true, answer: { refused: false, error: null } };
    const { check } = await checkOf(STEP, { tainter });
    expect(check).toMatchObject({
      passed: false,
      evidence: expect.stringMatching(/went through: the role's condition \(instances of Auto Scaling groups only\) does not hold/),
    });
  });

  it('fails with the function error when the tainter refused the probe itself', async () => {
    const tainter = new FakeTainter();
    tainter.answer = { ok: false, error: 'TaintProbeRefusedError: self-test taint-probe on i-0standalone refused: no instance' };
    const { check } = await checkOf(STEP, { tainter });
    expect(check).toMatchObject({
      passed: false,
      evidence: 'phoenix-prod-tainter failed: TaintProbeRefusedError: self-test taint-probe on i-0standalone refused: no instance',
    });
  });

  it('a standalone instance that cannot be launched fails its line, skips the probe, and the rest still runs', async () => {
    const cloud = new FakeCloud();
    cloud.failing.set(
      'launchInstance',
      Object.assign(new Error('You have requested more instances than your current limit'), { name: 'InstanceLimitExceeded' }),
    );
    const { report, result } = await checkOf(STEP, { cloud });
    expect(report.checks.find((check) => check.step === 'a standalone instance outside any group')).toMatchObject({
      passed: false,
      evidence: 'InstanceLimitExceeded: You have requested more instances than your current limit',
    });
    expect(report.checks.map((check) => check.step)).not.toContain(STEP);
    expect(report.checks.map((check) => check.step)).toContain('the dashboard');
    expect(result.tainter.invoked).toEqual([]);
    expect(report.resources.instance).toBeUndefined();
  });

  it('--keep lists the standalone instance first among what to remove, and terminates nothing', async () => {
    const kept = await selftest(['--yes', '--json', '--keep']);
    const report = JSON.parse(kept.stdout.join('\n')) as SelftestReport;
    expect(report.cleanup.removal[0]).toBe('aws ec2 terminate-instances --instance-ids i-0standalone --region eu-west-1');
    expect(kept.cloud.calls.filter((call) => /^(delete|terminate)/.test(call))).toEqual([]);
  });
});

describe('phoenix selftest: the tainter, the verifier and its log group are checked before anything is made', () => {
  const oneLine = (error: unknown): string => failureLine(error, { profile: undefined, endpoint: undefined });

  it('a stack without its tainter is partly deployed', async () => {
    const tainter = new FakeTainter();
    tainter.isDeployed = false;
    const result = await selftest(['--stage', 'prod', '--region', 'eu-west-1', '--yes'], { tainter });
    expect(oneLine(result.error)).toBe(
      'the Phoenix stack of stage prod in eu-west-1 is partly deployed: its function phoenix-prod-tainter was not found (deploy it again with npx osls deploy --stage prod --region eu-west-1)',
    );
    expect(made(result.cloud.calls)).toEqual([]);
  });

  it('a stack without its verifier is partly deployed', async () => {
    const verifierLogs = new FakeVerifierLogs();
    verifierLogs.isDeployed = false;
    const result = await selftest(['--stage', 'prod', '--yes'], { verifierLogs });
    expect(oneLine(result.error)).toMatch(/is partly deployed: its function phoenix-prod-verifier was not found/);
  });

  it("the caller may not read the verifier's log group", async () => {
    const verifierLogs = new FakeVerifierLogs();
    verifierLogs.failure = Object.assign(new Error('User alice is not authorized to perform: logs:FilterLogEvents'), { name: 'AccessDeniedException' });
    const result = await selftest(['--stage', 'prod', '--plan'], { verifierLogs });
    expect(result.error).toBeInstanceOf(DeploymentError);
    const said = oneLine(result.error);
    expect(said).toMatch(
      /^your credentials may not read the verifier's log group \/aws\/lambda\/phoenix-prod-verifier \(AccessDeniedException\): .*logs:FilterLogEvents/,
    );
    expect(made(result.cloud.calls)).toEqual([]);
  });

  it('--plan --json names the tainter, the log group and what a run makes, the standalone instance among it', async () => {
    const result = await selftest(['--stage', 'prod', '--plan', '--json']);
    const plan = JSON.parse(result.stdout.join('\n')) as { tainter: string; verifierLogGroup: string; makes: string[] };
    expect(plan.tainter).toBe('phoenix-prod-tainter');
    expect(plan.verifierLogGroup).toBe('/aws/lambda/phoenix-prod-verifier');
    expect(plan.makes).toContain('a standalone instance of the template, tagged phoenix:selftest=true, outside any group');
    expect(result.tainter.invoked).toEqual([]);
  });
});

describe('the checklist', () => {
  it('says passed only when every check passed and lists what was cleaned up', () => {
    const report: SelftestReport = {
      stage: 'prod',
      region: 'eu-west-1',
      passed: true,
      checks: [{ step: 'the dashboard', passed: true, evidence: 'phoenix-prod-eu-west-1 exists', seconds: 0.2 }],
      resources: { launchTemplate: 'phoenix-selftest-x', groups: ['phoenix-selftest-x-subject'], instance: 'i-0standalone' },
      cleanup: { kept: false, failures: [], removal: [] },
      stoppedBecause: undefined,
    };
    expect(formatReport(report)).toBe(
      [
        'PASS  the dashboard (0.2s): phoenix-prod-eu-west-1 exists',
        '',
        'cleaned up: i-0standalone, phoenix-selftest-x-subject, phoenix-selftest-x',
        'phoenix selftest passed: 1 checks in stage prod, eu-west-1',
      ].join('\n'),
    );
  });
});
