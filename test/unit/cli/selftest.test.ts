import { describe, expect, it } from 'vitest';
import { DeploymentError, UsageError } from '../../../functions/cli/errors.js';
import { failureLine } from '../../../functions/cli/failures.js';
import type { SelftestReport } from '../../../functions/cli/selftest/checklist.js';
import { formatReport } from '../../../functions/cli/selftest/checklist.js';
import type { Group } from '../../../functions/core/model.js';
import { MINUTE } from '../../../functions/core/model.js';
import { NOW, record } from '../../support/fleet.js';
import { denied, FakeCloud, FakeRecycler, fakeClock, made, replacingCloud, selftest } from '../../support/selftest-session.js';

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
    // Desired capacity goes to 2 with an extra instance, the old one leaves, and the record closes failed.
    const cloud = replacingCloud();
    cloud.records = [record({ group: 'x', phase: 'failed', detail: 'recovery timed out after 15m', startedAt: NOW, closedAt: NOW + 20 * MINUTE })];
    const result = await selftest(['--yes', '--json'], { cloud, recycler });
    const report = JSON.parse(result.stdout.join('\n')) as SelftestReport;
    expect(report.checks.find((check) => check.step === 'the replacement is verified in the ledger')).toMatchObject({
      passed: false,
      evidence: expect.stringMatching(/closed failed: recovery timed out after 15m$/),
    });
  });
});

describe('the checklist', () => {
  it('says passed only when every check passed and lists what was cleaned up', () => {
    const report: SelftestReport = {
      stage: 'prod',
      region: 'eu-west-1',
      passed: true,
      checks: [{ step: 'the dashboard', passed: true, evidence: 'phoenix-prod-eu-west-1 exists', seconds: 0.2 }],
      resources: {
        launchTemplate: 'phoenix-selftest-x',
        groups: ['phoenix-selftest-x-subject'],
        instance: 'i-0standalone',
        standalone: 'phoenix-selftest-x-standalone',
      },
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
