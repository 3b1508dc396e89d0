import { describe, expect, it } from 'vitest';
import { EventError } from '../../../functions/app/errors.js';
import { runSelftest, SelftestRefusedError } from '../../../functions/app/selftest.js';
import type { TickDependencies, TickResult, TickSettings } from '../../../functions/app/tick.js';
import { finishRun } from '../../../functions/app/tick-dependencies.js';
import type { GlobalMode, Group } from '../../../functions/core/model.js';
import { MINUTE } from '../../../functions/core/model.js';
import { FakeAlarms, FakeEvents, FakeFleet, FakeLedger, FakeSettings, RecordingLogger } from '../../support/fakes.js';
import { group, instance, NOW } from '../../support/fleet.js';

const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 5 };
const TAINT = { 'phoenix:tainted': `at=${new Date(NOW - 2 * MINUTE).toISOString()};by=arn:aws:iam::123456789012:user/alice;via=phoenix-selftest` };

/** The self-test's pair: one instance each; the subject's is marked touched, its grace 0m. */
const subject: Group = group({
  name: 'subject',
  size: 1,
  max: 2,
  tags: { 'phoenix:enabled': 'true', 'phoenix:selftest': 'true', 'phoenix:taint-grace': '0m' },
  instances: [instance({ id: 'i-subject', launchedAt: NOW - 5 * MINUTE, tags: TAINT })],
});
const decoy: Group = group({ name: 'decoy', size: 1, max: 2, tags: { 'phoenix:selftest': 'true' }, instances: [instance({ id: 'i-decoy' })] });
const production: Group = group({ name: 'web', size: 2 });

/** Fakes for every port: what the self-test path reads and changes is recorded. */
function world(groups: Group[] = [subject, decoy, production], mode: GlobalMode = 'live') {
  return {
    fleet: new FakeFleet(groups),
    ledger: new FakeLedger(),
    events: new FakeEvents(),
    alarms: new FakeAlarms(),
    settings: new FakeSettings(mode),
    logger: new RecordingLogger(),
    chaosSeed: 1,
  };
}

/** The handler's measure without the metrics: the run's summary, failing when an action failed. */
const summarise = (deps: TickDependencies) => async (run: () => Promise<TickResult>) => finishRun(deps, await run());

const changes = (calls: readonly string[]) => calls.filter((call) => /^(terminate|setDesired|tagGroup|untagGroup)/.test(call));
const event = (action: string, name: string) => ({ selftest: { action, group: name } });

describe('runSelftest: a recycle', () => {
  it('plans and acts on the named self-test group alone, through the gates, and says so in the log', async () => {
    const deps = world();
    const answer = await runSelftest(deps, settings, event('recycle', 'subject'), NOW, summarise(deps));
    expect(answer).toMatchObject({ selftest: 'recycle', group: 'subject', decision: 'start', failed: 0 });
    expect(changes(deps.fleet.calls)).toEqual(['setDesiredCapacity subject 2']);
    expect(deps.fleet.calls).not.toContain('listOptedInGroups');
    expect([...deps.ledger.records.values()]).toMatchObject([{ group: 'subject', instanceId: 'i-subject', reason: 'tainted', phase: 'surging' }]);
    expect(deps.logger.lines.find((line) => line.message === 'self-test')?.fields).toEqual({ action: 'recycle', group: 'subject' });
  });

  it('in dry-run records what it would do, changes nothing, and says why', async () => {
    const deps = world([subject, decoy], 'dry-run');
    const answer = await runSelftest(deps, settings, event('recycle', 'subject'), NOW, summarise(deps));
    expect(changes(deps.fleet.calls)).toEqual([]);
    expect(answer).toMatchObject({ decision: 'dry-run', why: 'would recycle i-subject, but the global mode is dry-run' });
  });

  it.each<{ case: string; mode: GlobalMode; tags: Record<string, string>; says: RegExp }>([
    { case: 'the account is off', mode: 'off', tags: {}, says: /mode/ },
    { case: 'the group is outside its window', mode: 'live', tags: { 'phoenix:window': 'daily 00:00-00:01 UTC' }, says: /window/ },
    { case: 'the group is quarantined', mode: 'live', tags: { 'phoenix:quarantined': 'recovery failed' }, says: /quarantine/ },
    { case: 'the group spent its budget', mode: 'live', tags: { 'phoenix:budget': '0/hour' }, says: /budget/ },
  ])('changes nothing when $case: the gates hold for a self-test as for any tick', async ({ mode, tags, says }) => {
    const braked = { ...subject, tags: { ...subject.tags, ...tags } };
    const deps = world([braked, decoy], mode);
    const answer = await runSelftest(deps, settings, event('recycle', 'subject'), NOW, summarise(deps));
    expect(changes(deps.fleet.calls)).toEqual([]);
    expect(answer['decision']).not.toBe('start');
    expect(String(answer['why'])).toMatch(says);
  });
});

describe('runSelftest: the IAM probe', () => {
  it('asks for the capacity the decoy has (a no-op if let through) and reports the refusal it must get', async () => {
    const deps = world();
    deps.fleet.failing.set(
      'setDesiredCapacity',
      Object.assign(new Error('not authorized to perform autoscaling:SetDesiredCapacity'), { name: 'AccessDenied' }),
    );
    const answer = await runSelftest(deps, settings, event('iam-probe', 'decoy'), NOW, summarise(deps));
    expect(deps.fleet.calls).toEqual(['describeGroups decoy', 'setDesiredCapacity decoy 1']);
    expect(answer).toEqual({
      selftest: 'iam-probe',
      group: 'decoy',
      refused: true,
      error: 'AccessDenied: not authorized to perform autoscaling:SetDesiredCapacity',
    });
  });

  it('reports a probe that went through, as an error in the log', async () => {
    const deps = world();
    const answer = await runSelftest(deps, settings, event('iam-probe', 'decoy'), NOW, summarise(deps));
    expect(answer).toMatchObject({ refused: false });
    expect(deps.logger.lines.some((line) => line.level === 'error' && /went through/.test(line.message))).toBe(true);
  });

  it('fails the invocation on any other error: a throttle proves nothing', async () => {
    const deps = world();
    deps.fleet.failing.set('setDesiredCapacity', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(runSelftest(deps, settings, event('iam-probe', 'decoy'), NOW, summarise(deps))).rejects.toThrow('Rate exceeded');
  });
});

describe('runSelftest: refused events change nothing', () => {
  it.each([
    {
      case: 'a recycle of a production group',
      event: event('recycle', 'web'),
      error: SelftestRefusedError,
      says: /^self-test recycle on web refused: group web is not a self-test group/,
    },
    { case: 'a probe of a production group', event: event('iam-probe', 'web'), error: SelftestRefusedError, says: /not a self-test group/ },
    { case: 'a recycle of the decoy', event: event('recycle', 'decoy'), error: SelftestRefusedError, says: /not opted in/ },
    {
      case: 'a probe of the opted-in subject',
      event: event('iam-probe', 'subject'),
      error: SelftestRefusedError,
      says: /an IAM probe is made only on a group without that tag/,
    },
    { case: 'a group that does not exist', event: event('recycle', 'gone'), error: SelftestRefusedError, says: /no Auto Scaling group named "gone"/ },
    {
      case: 'an unknown action',
      event: event('terminate', 'subject'),
      error: EventError,
      says: /^event\.selftest\.action="terminate": expected one of recycle, iam-probe$/,
    },
  ])('$case', async ({ event: given, error, says }) => {
    const deps = world();
    const failure = await runSelftest(deps, settings, given, NOW, summarise(deps)).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(error);
    expect((failure as Error).message).toMatch(says);
    expect(changes(deps.fleet.calls)).toEqual([]);
    expect(deps.ledger.records.size).toBe(0);
  });
});
