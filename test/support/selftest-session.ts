import type { SelftestReport } from '../../functions/cli/selftest/checklist.js';
import type {
  DeployedRecycler,
  DeployedTainter,
  InvokeResult,
  ReceivedEventLine,
  RecyclerFacts,
  SelftestClock,
  SelftestCloud,
  VerifierLogs,
} from '../../functions/cli/selftest/ports.js';
import { InterruptedError } from '../../functions/cli/selftest/watch.js';
import type { SelftestSession } from '../../functions/cli/selftest-command.js';
import { selftestCommand } from '../../functions/cli/selftest-command.js';
import type { Group, ReplacementRecord } from '../../functions/core/model.js';
import { group, instance, NOW } from './fleet.js';

/**
 * \`phoenix selftest\` over an account in memory, for the CLI's unit tests: fakes of the cloud and the
 * deployed functions whose calls are recorded and whose answers are scripted, a clock that jumps, and
 * one run of the command with its output.
 */

export const FACTS: RecyclerFacts = {
  functionName: 'phoenix-prod-recycler',
  ledgerTable: 'phoenix-prod-LedgerTable-X',
  modeParameter: '/phoenix/prod/mode',
  fixedMode: undefined,
  stopAlarms: [],
};

export const denied = (message: string): Error => Object.assign(new Error(message), { name: 'AccessDenied' });

/**
 * An account in memory: groups come up at once with one InService instance each; the recycler's
 * answers and every call are scripted and recorded; any method can be made to fail.
 */
export class FakeCloud implements SelftestCloud {
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
  /** What EC2 shows under a self-test instance's Name: by default the one launchInstance returned. */
  named: string[] = ['i-0standalone'];
  async selftestInstancesNamed(name: string): Promise<string[]> {
    this.enter(`selftestInstancesNamed ${name}`);
    return this.named;
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

export class FakeRecycler implements DeployedRecycler {
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

export class FakeTainter implements DeployedTainter {
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

export class FakeVerifierLogs implements VerifierLogs {
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
export function fakeClock(onSleep: () => void = () => undefined): SelftestClock {
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

export interface Setup {
  readonly cloud: FakeCloud;
  readonly recycler: FakeRecycler;
  readonly tainter: FakeTainter;
  readonly verifierLogs: FakeVerifierLogs;
  readonly confirm?: SelftestSession['confirm'];
  readonly clock?: SelftestClock;
  readonly controller?: AbortController;
}

export async function selftest(args: readonly string[], setup: Partial<Setup> = {}) {
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

export const made = (calls: readonly string[]) => calls.filter((call) => /^create/.test(call));

/** A run whose replacement goes all the way (old instance i-ubject out, i-extra in), so the checks after it are reached. */
export function replacingCloud(): FakeCloud {
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

export const startingRecycler = (): FakeRecycler => {
  const recycler = new FakeRecycler();
  recycler.answers['recycle'] = { ok: true, answer: { decision: 'start', why: 'touched' } };
  return recycler;
};

export const line = (detailType: string, instanceId: string, group: string, eventTime: string, receivedAt: number): ReceivedEventLine => ({
  detailType,
  group,
  instanceId,
  eventId: `event-${instanceId}`,
  eventTime,
  receivedAt,
});

export async function checkOf(step: string, setup: Partial<Setup>) {
  const result = await selftest(['--yes', '--json'], setup);
  const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
  return { result, report, check: report.checks.find((check) => check.step === step) };
}
