import { describe, expect, it } from 'vitest';
import type { Millis, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import type { SimGroupSpec, Violations } from '../../sim/fleet.js';
import { SIM_START_NOON } from '../support/clock.js';
import type { Fault, Trigger } from '../support/faults.js';
import { audit, FaultWorld } from '../support/faults.js';
import { OPTED_IN } from '../support/fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const SECOND = 1000;

/**
 * Three instances, the first (the simulator's i-…01) a day past max-age 7d and the others young, so
 * each run has exactly one replacement to make. min-healthy 100 (the default) surges first.
 */
function web(minHealthy?: string): SimGroupSpec {
  return {
    name: 'web',
    desired: 3,
    min: 1,
    max: 5,
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d', ...(minHealthy === undefined ? {} : { 'phoenix:min-healthy': minHealthy }) },
    launchTemplate: { id: 'lt-1', version: '3' },
    instances: [{ age: 8 * DAY }, { age: 2 * DAY }, { age: DAY }],
    launchDelay: { min: 90 * SECOND, max: 90 * SECOND },
  };
}
const SURGE = web();
/** min-healthy 50: terminates directly and lets Auto Scaling replace. */
const DIRECT = web('50');
const OLD = 'i-00000000000000001';

const killBefore: Fault = { kind: 'kill-before' };
const killAfter: Fault = { kind: 'kill-after' };
const throwBefore: Fault = { kind: 'throw-before' };
const throwAfter: Fault = { kind: 'throw-after' };

/** Six hours: time for a killed attempt, the budget's hour it costs, and the replacement after it. */
async function run(spec: SimGroupSpec, triggers: readonly Trigger[]): Promise<FaultWorld> {
  const world = new FaultWorld({ start: SIM_START_NOON, seed: 1, groups: [spec], triggers });
  await world.runFor(6 * HOUR);
  return world;
}

/**
 * The suite's invariants: the simulator measured no broken rule, no instance was terminated twice,
 * every termination has a record, every failure was reported, and, the faults over, no record is
 * left open and desired capacity is back where the group's owner set it.
 */
async function expectNothingLost(world: FaultWorld, spec: SimGroupSpec, violations: Violations = NO_VIOLATIONS): Promise<void> {
  const found = audit(world);
  expect(found.violations).toEqual(violations);
  expect(found.terminatedTwice).toEqual([]);
  expect(found.unrecorded).toEqual([]);
  expect(found.swallowed).toEqual([]);
  expect(found.terminationsAfterQuarantine).toBe(0);
  expect(world.openRecords()).toEqual([]);
  expect((await world.group(spec.name)).desired).toBe(spec.desired);
}

function recordsOf(world: FaultWorld, instanceId: string): readonly ReplacementRecord[] {
  return world.records().filter((record) => record.instanceId === instanceId);
}

function terminations(world: FaultWorld): { readonly at: Millis; readonly instanceId: string | undefined; readonly outcome: string }[] {
  return world.fleet
    .calls()
    .filter((call) => call.kind === 'terminate')
    .map(({ at, instanceId, outcome }) => ({ at, instanceId, outcome }));
}

/** Phoenix terminated OLD exactly once, and its record ended verified with the time that termination took effect. */
function expectReplaced(world: FaultWorld): void {
  const [terminate, ...more] = terminations(world).filter((call) => call.outcome === 'ok');
  expect(more).toEqual([]);
  expect(terminate?.instanceId).toBe(OLD);
  const verified = recordsOf(world, OLD).filter((record) => record.phase === 'verified');
  expect(verified).toHaveLength(1);
  expect(verified[0]?.terminatedAt).toBe(terminate?.at);
}

/**
 * Undoing a surge terminates the surge's own extra instance with desired lowered in the same call, so
 * Auto Scaling never chooses (its policy would pick OLD, the oldest): nothing is scaled in, and OLD is
 * replaced later by a surge of its own.
 */
function expectUndoneExactly(world: FaultWorld): void {
  const [undo, replacement, ...more] = world.fleet.calls().filter((call) => call.kind === 'terminate' && call.outcome === 'ok');
  expect(more).toEqual([]);
  expect(undo).toMatchObject({ decrementDesired: true });
  expect(undo?.instanceId).not.toBe(OLD);
  expect(replacement).toMatchObject({ instanceId: OLD, decrementDesired: true });
  expect(world.fleet.activities().filter((activity) => activity.kind === 'scale-in')).toEqual([]);
}

function lowestHealthy(world: FaultWorld, group: string): number {
  return Math.min(...world.fleet.series(group).map((sample) => sample.inServiceHealthy));
}

describe('a tick killed half-way (the Lambda times out)', () => {
  it.each<{ case: string; spec: SimGroupSpec; trigger: Trigger; phases: readonly string[]; detail?: RegExp; undone?: true }>([
    {
      case: 'after planning, before any action (the fresh re-read never answers)',
      spec: SURGE,
      trigger: { on: 'describe', nth: 1, fault: killBefore },
      phases: ['verified'],
    },
    {
      case: 'before the write-ahead record is written',
      spec: SURGE,
      trigger: { on: 'begin', nth: 1, fault: killBefore },
      phases: ['verified'],
    },
    {
      case: 'after the write-ahead record, before the surge call',
      spec: SURGE,
      trigger: { on: 'begin', nth: 1, fault: killAfter },
      phases: ['abandoned', 'verified'],
      detail: /^desired capacity is 3, not the surge's 4, \d+m after raising it: the surge call never took effect/,
    },
    {
      case: 'right after the surge call returns',
      spec: SURGE,
      trigger: { on: 'set-desired', nth: 1, fault: killAfter },
      phases: ['verified'],
    },
    {
      case: 'after the surge record moves to terminating, before the terminate call',
      spec: SURGE,
      trigger: { on: 'update', nth: 1, fault: killAfter },
      phases: ['abandoned', 'verified'],
      detail: /terminating i-0+1 never took effect: desired capacity still 4 .* i-0+1 InService; taking the surge back/,
      undone: true,
    },
    {
      case: 'right after the terminate call of a surge returns',
      spec: SURGE,
      trigger: { on: 'terminate', nth: 1, fault: killAfter },
      phases: ['verified'],
    },
    {
      case: 'before the verification is recorded',
      spec: SURGE,
      // Updates: the surge moves to terminating (1), its published announcement is cleared (2), verified (3).
      trigger: { on: 'update', nth: 3, fault: killBefore },
      phases: ['verified'],
    },
    {
      case: 'direct termination: after the write-ahead record, before the terminate call',
      spec: DIRECT,
      trigger: { on: 'begin', nth: 1, fault: killAfter },
      phases: ['abandoned', 'verified'],
      detail: /still InService .* the call never took effect/,
    },
    {
      case: 'direct termination: right after the terminate call returns',
      spec: DIRECT,
      trigger: { on: 'terminate', nth: 1, fault: killAfter },
      phases: ['verified'],
    },
  ])('$case: later runs reconcile, and the old instance is replaced once', async ({ spec, trigger, phases, detail, undone }) => {
    const world = await run(spec, [trigger]);
    expect(world.plan.fired).toHaveLength(1);
    expect(world.reports.filter((report) => report.status === 'killed')).toHaveLength(1);
    await expectNothingLost(world, spec);
    if (undone === true) expectUndoneExactly(world);
    else expectReplaced(world);
    expect(recordsOf(world, OLD).map((record) => record.phase)).toEqual(phases);
    if (detail !== undefined) expect(recordsOf(world, OLD)[0]?.detail).toMatch(detail);
    // min-healthy 100: never fewer than 3 InService and Healthy; 50%: never fewer than 2.
    expect(lowestHealthy(world, spec.name)).toBeGreaterThanOrEqual(spec === DIRECT ? 2 : 3);
  });
});

/** The instance the call is about (or OLD) disappears just before the call: someone used EC2 TerminateInstances, or a host died. */
const vanish: Fault = { kind: 'world', change: (fleet, call) => fleet.removeInstanceSilently(call.instanceId ?? OLD) };

function failedActions(world: FaultWorld): string[] {
  return world.reports.flatMap((report) => report.result?.outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [outcome.why] : [])) ?? []);
}

describe('an instance that disappears between the read and the act', () => {
  it('after the tick read the fleet, before its re-read: the re-read stops the start, nothing is written or called', async () => {
    const world = await run(DIRECT, [{ on: 'describe', nth: 1, fault: vanish }]);
    await expectNothingLost(world, DIRECT);
    expect(terminations(world)).toEqual([]);
    expect(recordsOf(world, OLD)).toEqual([]);
    const first = world.reports[0]?.result?.outcomes;
    expect(first).toMatchObject([{ kind: 'not-acted', why: expect.stringMatching(/^state changed since planning: .*not stable/) }]);
  });

  it('after the surge re-read, before the surge call: the surge is taken back exactly and the record abandoned, naming the instance', async () => {
    const world = await run(SURGE, [{ on: 'set-desired', nth: 1, fault: vanish }]);
    await expectNothingLost(world, SURGE);
    expect(recordsOf(world, OLD)).toMatchObject([{ phase: 'abandoned', detail: expect.stringMatching(/^i-0+1 left service during the surge \(gone\)/) }]);
    // Auto Scaling replaced the vanished OLD and launched the surge's extra instance: the newest of the two goes.
    expect(world.fleet.calls().map((call) => [call.kind, call.desired ?? call.decrementDesired])).toEqual([
      ['set-desired', 4],
      ['terminate', true],
    ]);
    expect(world.fleet.view(SURGE.name).desired).toBe(3);
    expect(failedActions(world)).toEqual([]);
  });

  // No re-read can close the last gap: AWS refuses the call, and the simulator counts any terminate
  // aimed at an instance no longer in service as doubleTermination. Nothing was terminated twice.
  const REFUSED_ONCE: Violations = { ...NO_VIOLATIONS, doubleTermination: 1 };

  it.each<{ case: string; spec: SimGroupSpec; phase: string; detail: RegExp }>([
    { case: 'direct termination', spec: DIRECT, phase: 'vanished', detail: /^i-0+1 was gone before Phoenix terminated it \(Instance Id not found/ },
    { case: 'the end of a surge', spec: SURGE, phase: 'vanished', detail: /^i-0+1 was gone before Phoenix terminated it \(Instance Id not found/ },
  ])('just before the terminate call ($case): one refused call, recorded as vanished, never as a recycle, desired back', async ({ spec, phase, detail }) => {
    const world = await run(spec, [{ on: 'terminate', nth: 1, fault: vanish }]);
    await expectNothingLost(world, spec, REFUSED_ONCE);
    expect(terminations(world).filter((call) => call.instanceId === OLD)).toEqual([expect.objectContaining({ instanceId: OLD, outcome: 'rejected' })]);
    expect(
      world.fleet
        .activities()
        .filter((activity) => activity.instanceId === OLD)
        .map((activity) => activity.kind),
    ).toEqual(['vanished']);
    expect(failedActions(world)).toEqual([]);
    expect(recordsOf(world, OLD)[0]?.terminatedAt).toBeUndefined();
    expect(world.fleet.view(spec.name).desired).toBe(spec.desired);
    expect(world.reports.filter((report) => report.status !== 'ok')).toEqual([]);
    expect(recordsOf(world, OLD)).toMatchObject([{ phase, detail: expect.stringMatching(detail) }]);
  });
});

describe('clock skew between the event time and the API', () => {
  /** Old, middle-aged and young instances, a chaos pick now and then, a budget that bites: 1/hour. */
  const mixed: SimGroupSpec = {
    ...web(),
    name: 'mixed',
    desired: 6,
    max: 8,
    tags: { ...OPTED_IN, 'phoenix:max-age': '2d', 'phoenix:chaos': '6h', 'phoenix:budget': '1/hour' },
    instances: [{ age: 3 * DAY }, { age: 2 * DAY + HOUR }, { age: 2 * DAY - 2 * HOUR }, { age: DAY }, { age: 12 * HOUR }, { age: HOUR }],
  };
  const direct: SimGroupSpec = { ...mixed, name: 'direct', tags: { ...mixed.tags, 'phoenix:min-healthy': '50' } };

  it.each<{ case: string; skew: (kind: 'tick' | 'verify') => Millis }>([
    { case: 'every event 7 minutes ahead of the API', skew: () => 7 * MINUTE },
    { case: 'every event 15 minutes behind the API (launch times from the future)', skew: () => -15 * MINUTE },
    { case: 'scheduled events 15 minutes late, Auto Scaling events on time', skew: (kind) => (kind === 'tick' ? -15 * MINUTE : 0) },
  ])('$case: budgets and windows hold, and no instance is picked for an age it does not have', async ({ skew }) => {
    const world = new FaultWorld({ start: SIM_START_NOON, seed: 5, groups: [mixed, direct] });
    world.skew = skew;
    await world.runFor(2 * DAY);
    const found = audit(world);
    expect(found.violations).toEqual(NO_VIOLATIONS);
    expect(found.terminatedTwice).toEqual([]);
    expect(found.unrecorded).toEqual([]);
    const maxAgePicks = world.records().filter((record) => record.mode === 'live' && record.reason === 'max-age');
    expect(maxAgePicks.length).toBeGreaterThanOrEqual(4);
    // Ages read against a skewed clock are off by the skew only: with max-age 2d, and picks starting at most
    // a few budget slots early to spread them, none is younger than a day (a launch "from the future" is not due).
    for (const record of maxAgePicks) expect(record.instanceAgeSeconds ?? 0).toBeGreaterThan(DAY / 1000);
  });
});

describe('a ledger write that fails around a termination', () => {
  it('the terminate of a surged instance lands but the call times out: the record stays terminating and ends verified with the termination time', async () => {
    const world = await run(SURGE, [{ on: 'terminate', nth: 1, fault: throwAfter }]);
    await expectNothingLost(world, SURGE);
    expectReplaced(world);
    expect(recordsOf(world, OLD).map((record) => record.phase)).toEqual(['verified']);
    expect(failedActions(world)).toEqual([`could not terminate ${OLD}`]);
  });

  it('the write moving a surge to terminating fails: nothing is terminated then, the next run finishes the surge', async () => {
    const world = await run(SURGE, [{ on: 'update', nth: 1, fault: throwBefore }]);
    await expectNothingLost(world, SURGE);
    expectReplaced(world);
    expect(failedActions(world)).toEqual(['unexpected error while acting']);
  });

  it.each<{ case: string; spec: SimGroupSpec; nth: number }>([
    // Each termination's announcement is cleared from its record once published, an update of its own.
    { case: 'after a surge and its termination', spec: SURGE, nth: 3 },
    { case: 'after a direct termination', spec: DIRECT, nth: 2 },
  ])('the write recording the verification fails ($case): reported, and the next run records it', async ({ spec, nth }) => {
    const world = await run(spec, [{ on: 'update', nth, fault: throwBefore }]);
    await expectNothingLost(world, spec);
    expectReplaced(world);
    expect(failedActions(world)).toEqual([expect.stringMatching(/^could not record verified for web#/)]);
  });

  it('the ledger cannot be read for the dozen runs after a direct termination: those runs fail, then the termination is found and verified', async () => {
    const unreadable = Array.from({ length: 12 }, (_, index): Trigger => ({ on: 'records', nth: 2 + index, fault: throwBefore }));
    const world = await run(DIRECT, unreadable);
    await expectNothingLost(world, DIRECT);
    expectReplaced(world);
    const failed = world.reports.filter((report) => report.status === 'failed');
    expect(failed).toHaveLength(12);
    expect(failed.every((report) => report.error?.startsWith('TimeoutError: injected: records'))).toBe(true);
  });
});

describe('AWS errors the throttle scenario does not cover', () => {
  const api: SimGroupSpec = { ...DIRECT, name: 'api' };

  it('a burst of throttling longer than recovery-timeout, mid-replacement: every run in it fails loudly, then both replacements finish, none is failed', async () => {
    const world = new FaultWorld({ start: SIM_START_NOON, seed: 1, groups: [SURGE, api] });
    // The surge and the direct termination happen at 12:00; from 12:01 every fleet call is throttled for 40 minutes.
    await world.runUntil(SIM_START_NOON + MINUTE);
    world.setFaults({ throttleRate: 1, serverErrorRate: 0 });
    await world.runUntil(SIM_START_NOON + 41 * MINUTE);
    const burst = world.reports.filter((report) => report.at >= SIM_START_NOON + MINUTE);
    world.setFaults(undefined);
    await world.runFor(6 * HOUR);

    expect(burst.filter((report) => report.kind === 'tick')).toHaveLength(4);
    expect(burst.every((report) => report.status === 'failed' && report.error?.startsWith('ThrottlingException: Rate exceeded'))).toBe(true);
    // The surge raised at 12:00 could be given back by no call before 12:41, past its 12:40 deadline
    // (recovery-timeout and two ticks): the referee counts it stranded, as it was, once.
    await expectNothingLost(world, SURGE, { ...NO_VIOLATIONS, strandedSurge: 1, desiredNotRestored: 1 });
    expect((await world.group('api')).desired).toBe(api.desired);
    expect(world.records().map((record) => [record.group, record.phase])).toEqual([
      ['web', 'verified'],
      ['api', 'verified'],
    ]);
    expect(world.fleet.calls().filter((call) => call.kind === 'tag')).toEqual([]);
  });

  it('server errors only (a fifth of fleet calls answer 503): each failure reported as such, recycling goes on, nothing lost', async () => {
    const world = new FaultWorld({ start: SIM_START_NOON, seed: 2, groups: [SURGE, api] });
    world.setFaults({ throttleRate: 0, serverErrorRate: 0.2 });
    await world.runFor(DAY);
    world.setFaults(undefined);
    await world.runFor(HOUR);

    const failed = world.reports.filter((report) => report.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((report) => report.error?.startsWith('ServiceUnavailable: '))).toBe(true);
    const causes = world.reports.flatMap((report) => report.result?.outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [outcome.cause] : [])) ?? []);
    expect(causes.length).toBeGreaterThan(0);
    expect(causes.every((cause) => cause instanceof Error && cause.name === 'ServiceUnavailable')).toBe(true);
    expect(world.fleet.calls().some((call) => call.outcome === 'fault')).toBe(true);
    await expectNothingLost(world, SURGE);
    expect((await world.group('api')).desired).toBe(api.desired);
    expect(
      world
        .records()
        .filter((record) => record.phase === 'verified')
        .map((record) => record.group)
        .sort(),
    ).toEqual(['api', 'web']);
  });
});
