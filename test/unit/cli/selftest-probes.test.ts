import { describe, expect, it } from 'vitest';
import { DeploymentError } from '../../../functions/cli/errors.js';
import { failureLine } from '../../../functions/cli/failures.js';
import type { SelftestReport } from '../../../functions/cli/selftest/checklist.js';
import { NOW } from '../../support/fleet.js';
import { checkOf, FakeCloud, FakeTainter, FakeVerifierLogs, line, made, replacingCloud, selftest, startingRecycler } from '../../support/selftest-session.js';

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

  it('a launch whose answer was lost still has its instance found by Name and terminated at cleanup', async () => {
    const cloud = new FakeCloud();
    cloud.failing.set('launchInstance', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    cloud.named = ['i-0madeanyway'];
    const { report } = await checkOf(STEP, { cloud });
    expect(report.resources.instance).toBeUndefined();
    expect(cloud.calls).toContain(`selftestInstancesNamed ${report.resources.standalone}`);
    expect(cloud.calls).toContain('terminateInstance i-0madeanyway');
  });

  it('--keep after a lost launch prints how to find the instance by its Name and terminate it', async () => {
    const cloud = new FakeCloud();
    cloud.failing.set('launchInstance', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const kept = await selftest(['--yes', '--json', '--keep'], { cloud });
    const report = JSON.parse(kept.stdout.join('\n')) as SelftestReport;
    expect(report.cleanup.removal[0]).toMatch(
      new RegExp(`^aws ec2 terminate-instances --instance-ids \\$\\(aws ec2 describe-instances --filters Name=tag:Name,Values=${report.resources.standalone} `),
    );
    expect(cloud.calls.filter((call) => /^(delete|terminate|selftestInstancesNamed)/.test(call))).toEqual([]);
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
