import { describe, expect, it } from 'vitest';
import type { Group, LifecycleState } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import { VirtualClock } from '../../sim/clock.js';
import type { ActivityKind, FaultRates, SimFleet } from '../../sim/fleet.js';
import { SIM_START_NOON } from '../support/clock.js';
import { OPTED_IN } from '../support/fleet.js';
import { first, fleetOf, group, SECOND, spec } from '../support/sim-fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

function states(found: Group): Record<string, LifecycleState> {
  return Object.fromEntries(found.instances.map((instance) => [instance.id, instance.lifecycleState]));
}

function count(found: Group, state: LifecycleState): number {
  return found.instances.filter((instance) => instance.lifecycleState === state).length;
}

function kinds(fleet: SimFleet): ActivityKind[] {
  return fleet.activities().map((activity) => activity.kind);
}

describe('VirtualClock', () => {
  it('moves forward and refuses to go back', () => {
    const clock = new VirtualClock(SIM_START_NOON);
    expect(clock.advance(MINUTE)).toBe(SIM_START_NOON + MINUTE);
    clock.set(SIM_START_NOON + HOUR);
    expect(clock.now()).toBe(SIM_START_NOON + HOUR);
    expect(() => clock.set(SIM_START_NOON)).toThrow(RangeError);
  });
});

describe('lifecycle', () => {
  const hooked = spec({ size: 2, launchHookWait: 2 * MINUTE, terminateHookWait: MINUTE });

  it.each([
    { case: 'right after the call', after: 0, victim: 'Terminating:Wait', replacement: 'Pending' },
    { case: 'terminate hook done, EC2 shutting down', after: 60 * SECOND, victim: 'Terminating:Proceed', replacement: 'Pending' },
    { case: 'launched, waiting on its launch hook', after: 90 * SECOND, victim: undefined, replacement: 'Pending:Wait' },
    { case: 'launch hook done', after: 210 * SECOND, victim: undefined, replacement: 'InService' },
  ] as const)('$case', async ({ after, victim, replacement }) => {
    const fleet = fleetOf([hooked]);
    const before = await group(fleet);
    const victimId = first(before).id;
    await fleet.terminateInstance('web', victimId, { decrementDesired: false });
    fleet.advanceTo(SIM_START_NOON + after);
    const now = await group(fleet);
    const launched = now.instances.find((instance) => !before.instances.some((old) => old.id === instance.id));
    expect(states(now)[victimId]).toBe(victim);
    expect(launched?.lifecycleState).toBe(replacement);
    expect(launched?.launchedAt).toBe(SIM_START_NOON);
  });

  it('draws launch delays from the default 60-180 s range', async () => {
    const { launchDelay: _, ...withDefaultDelay } = spec({ size: 2, max: 6 });
    const fleet = fleetOf([withDefaultDelay]);
    fleet.setDesiredExternally('web', 6);
    fleet.advanceTo(SIM_START_NOON + 59 * SECOND);
    expect(count(await group(fleet), 'Pending')).toBe(4);
    fleet.advanceTo(SIM_START_NOON + 180 * SECOND);
    expect(count(await group(fleet), 'InService')).toBe(6);
  });

  it('reports a scaling activity while anything is launching or terminating', async () => {
    const fleet = fleetOf([spec()]);
    expect((await group(fleet)).scalingActivityInProgress).toBe(false);
    await fleet.terminateInstance('web', first(await group(fleet)).id, { decrementDesired: true });
    expect((await group(fleet)).scalingActivityInProgress).toBe(true);
    fleet.advanceTo(SIM_START_NOON + 2 * MINUTE);
    expect((await group(fleet)).scalingActivityInProgress).toBe(false);
  });

  it('advanceTo refuses to go back in time', () => {
    const fleet = fleetOf([spec()]);
    fleet.advanceTo(SIM_START_NOON + HOUR);
    expect(fleet.now()).toBe(SIM_START_NOON + HOUR);
    expect(() => fleet.advanceTo(SIM_START_NOON)).toThrow(RangeError);
  });
});

describe('terminateInstance', () => {
  it.each([
    { case: 'without decrement: a replacement launches at once', decrementDesired: false, desired: 4, launches: 1 },
    { case: 'with decrement: desired drops and nothing launches', decrementDesired: true, desired: 3, launches: 0 },
  ])('$case', async ({ decrementDesired, desired, launches }) => {
    const fleet = fleetOf([spec()]);
    const victim = first(await group(fleet)).id;
    await fleet.terminateInstance('web', victim, { decrementDesired });
    const right = await group(fleet);
    expect(right.desired).toBe(desired);
    expect(count(right, 'Pending')).toBe(launches);
    expect(kinds(fleet).filter((kind) => kind === 'launch')).toHaveLength(launches);
    fleet.advanceTo(SIM_START_NOON + 10 * MINUTE);
    const settled = await group(fleet);
    expect(settled.instances.map((instance) => instance.id)).not.toContain(victim);
    expect(count(settled, 'InService')).toBe(desired);
  });

  it.each([
    { case: 'decrement below min', name: 'web', min: 4, message: /min size/ },
    { case: 'unknown group', name: 'nope', min: 1, message: /not found/ },
  ])('rejects $case and changes nothing', async ({ name, min, message }) => {
    const fleet = fleetOf([spec({ min })]);
    const before = await group(fleet);
    const id = first(before).id;
    await expect(fleet.terminateInstance(name, id, { decrementDesired: true })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(message),
    });
    expect(await group(fleet)).toEqual(before);
    expect(fleet.calls().at(-1)?.outcome).toBe('rejected');
  });
});

describe('setDesiredCapacity', () => {
  it.each([
    { case: 'above max', desired: 7, message: 'above max value 6' },
    { case: 'below min', desired: 0, message: 'below min value 1' },
    { case: 'not a whole number', desired: 2.5, message: 'not a whole number' },
  ])('rejects $case with a ValidationError and changes nothing', async ({ desired, message }) => {
    const fleet = fleetOf([spec()]);
    const before = await group(fleet);
    await expect(fleet.setDesiredCapacity('web', desired)).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining(message) });
    expect(await group(fleet)).toEqual(before);
    expect(fleet.activities()).toEqual([]);
  });

  it('raising desired launches the difference', async () => {
    const fleet = fleetOf([spec()]);
    await fleet.setDesiredCapacity('web', 6);
    expect(count(await group(fleet), 'Pending')).toBe(2);
  });
});

describe('scale-in', () => {
  it('takes instances on an older template version first, then the oldest, never a protected one', async () => {
    const fleet = fleetOf([
      spec({
        instances: [{ age: 9 * DAY, protectedFromScaleIn: true }, { age: 8 * DAY }, { age: 2 * DAY, launchTemplateVersion: '2' }, { age: 1 * DAY }],
      }),
    ]);
    const [protectedId, oldest, stale, youngest] = (await group(fleet)).instances.map((instance) => instance.id);
    fleet.setDesiredExternally('web', 2);
    expect(states(await group(fleet))).toEqual({
      [protectedId ?? '']: 'InService',
      [oldest ?? '']: 'Terminating:Wait',
      [stale ?? '']: 'Terminating:Wait',
      [youngest ?? '']: 'InService',
    });
  });

  it('clamps an external change to min and max', async () => {
    const fleet = fleetOf([spec()]);
    fleet.setDesiredExternally('web', 50);
    expect((await group(fleet)).desired).toBe(6);
    fleet.setDesiredExternally('web', -3);
    expect((await group(fleet)).desired).toBe(1);
  });

  it('leaves protected instances alone even when that leaves the group above desired', async () => {
    const fleet = fleetOf([
      spec({
        size: 2,
        instances: [
          { age: DAY, protectedFromScaleIn: true },
          { age: DAY, protectedFromScaleIn: true },
        ],
      }),
    ]);
    fleet.setDesiredExternally('web', 1);
    expect(count(await group(fleet), 'InService')).toBe(2);
  });
});

describe('launch failures', () => {
  it('keep the group below desired and retry every 5 minutes until launches work again', async () => {
    const fleet = fleetOf([spec()]);
    fleet.failLaunches('web', SIM_START_NOON);
    await fleet.terminateInstance('web', first(await group(fleet)).id, { decrementDesired: false });
    fleet.advanceTo(SIM_START_NOON + 16 * MINUTE);
    const failing = await group(fleet);
    expect(failing.desired).toBe(4);
    expect(count(failing, 'InService')).toBe(3);
    expect(
      fleet
        .activities()
        .filter((activity) => activity.kind === 'launch-failed')
        .map((activity) => (activity.at - SIM_START_NOON) / MINUTE),
    ).toEqual([0, 5, 10, 15]);
    fleet.restoreLaunches('web');
    fleet.advanceTo(SIM_START_NOON + 20 * MINUTE);
    expect(count(await group(fleet), 'InService')).toBe(4);
  });

  it('start failing only from the given time', async () => {
    const fleet = fleetOf([spec()]);
    fleet.failLaunches('web', SIM_START_NOON + DAY);
    await fleet.terminateInstance('web', first(await group(fleet)).id, { decrementDesired: false });
    expect(kinds(fleet)).toContain('launch');
  });
});

describe('suspended processes and health', () => {
  it.each([
    { case: 'nothing suspended: the unhealthy instance is replaced after the health check', suspended: [], replaced: true },
    { case: 'ReplaceUnhealthy suspended: it stays', suspended: ['ReplaceUnhealthy'], replaced: false },
    { case: 'HealthCheck suspended: it stays', suspended: ['HealthCheck'], replaced: false },
  ])('$case', async ({ suspended, replaced }) => {
    const fleet = fleetOf([spec({ suspendedProcesses: suspended })]);
    const sick = first(await group(fleet)).id;
    fleet.makeUnhealthy(sick);
    fleet.advanceTo(SIM_START_NOON + 30 * SECOND);
    expect(states(await group(fleet))[sick]).toBe('InService');
    fleet.advanceTo(SIM_START_NOON + 10 * MINUTE);
    const after = await group(fleet);
    expect(after.instances.some((instance) => instance.id === sick)).toBe(!replaced);
    expect(after.instances.filter((instance) => instance.lifecycleState === 'InService' && instance.healthy)).toHaveLength(replaced ? 4 : 3);
  });

  it('Launch suspended: no replacement until resumed', async () => {
    const fleet = fleetOf([spec({ suspendedProcesses: ['Launch'] })]);
    await fleet.terminateInstance('web', first(await group(fleet)).id, { decrementDesired: false });
    fleet.advanceTo(SIM_START_NOON + HOUR);
    const suspended = await group(fleet);
    expect(suspended.suspendedProcesses).toEqual(['Launch']);
    expect(count(suspended, 'InService')).toBe(3);
    fleet.resumeProcesses('web', ['Launch']);
    fleet.advanceTo(SIM_START_NOON + 2 * HOUR);
    expect(count(await group(fleet), 'InService')).toBe(4);
  });

  it('Terminate suspended: no scale-in', async () => {
    const fleet = fleetOf([spec()]);
    fleet.suspendProcesses('web', ['Terminate']);
    fleet.setDesiredExternally('web', 2);
    expect(count(await group(fleet), 'InService')).toBe(4);
  });

  it('an instance entering Standby no longer counts toward desired, so a replacement launches', async () => {
    const fleet = fleetOf([spec()]);
    const id = first(await group(fleet)).id;
    fleet.enterStandby(id);
    const after = await group(fleet);
    expect(states(after)[id]).toBe('Standby');
    expect(count(after, 'Pending')).toBe(1);
  });

  it('an instance removed silently is gone and gets replaced', async () => {
    const fleet = fleetOf([spec()]);
    const id = first(await group(fleet)).id;
    fleet.removeInstanceSilently(id);
    const after = await group(fleet);
    expect(states(after)[id]).toBeUndefined();
    expect(kinds(fleet)).toEqual(['vanished', 'launch']);
  });
});

describe('snapshots', () => {
  it('lists every group with a phoenix:enabled key, whatever its value', async () => {
    const fleet = fleetOf([
      spec({ name: 'on' }),
      spec({ name: 'dry', tags: { 'phoenix:enabled': 'dry-run' } }),
      spec({ name: 'off', tags: { 'phoenix:enabled': 'false' } }),
      spec({ name: 'untagged', tags: { team: 'x' } }),
    ]);
    expect((await fleet.listOptedInGroups()).map((found) => found.name)).toEqual(['on', 'dry', 'off']);
    const found = await fleet.describeGroups(['untagged', 'missing']);
    expect([...found.keys()]).toEqual(['untagged']);
  });

  it('are frozen, and fresh after every change', async () => {
    const fleet = fleetOf([spec()]);
    const before = await group(fleet);
    expect(Object.isFrozen(before) && Object.isFrozen(before.instances) && Object.isFrozen(first(before).tags)).toBe(true);
    fleet.setInstanceTag(first(before).id, 'phoenix:tainted', 'by=alice');
    fleet.setLaunchTemplateVersion('web', '4');
    fleet.setInstanceRefresh('web', true);
    await fleet.tagGroup('web', { 'phoenix:quarantined': 'why' });
    await fleet.untagGroup('web', ['phoenix:max-age']);
    const after = await group(fleet);
    expect(first(before).tags).toEqual({});
    expect(first(after).tags).toEqual({ 'phoenix:tainted': 'by=alice' });
    expect(after.launchSource).toEqual({ kind: 'template', id: 'lt-1', version: '4', imageId: 'ami-1v4' });
    expect(first(after).launchSource).toEqual({ kind: 'template', id: 'lt-1', version: '3', imageId: 'ami-1v3' });
    expect(after.instanceRefreshInProgress).toBe(true);
    expect(after.tags).toEqual({ 'phoenix:enabled': 'true', 'phoenix:quarantined': 'why' });
  });

  it('rejects a tag value longer than AWS allows', async () => {
    const fleet = fleetOf([spec()]);
    await expect(fleet.tagGroup('web', { 'phoenix:quarantined': 'x'.repeat(257) })).rejects.toMatchObject({ name: 'ValidationError' });
    expect((await group(fleet)).tags['phoenix:quarantined']).toBeUndefined();
  });
});

describe('Describe lag', () => {
  const lagged = (): SimFleet => fleetOf([spec()], { describeLag: MINUTE });

  it('is off by default: a read right after a write sees it', async () => {
    const fleet = fleetOf([spec()]);
    fleet.setGroupTag('web', 'phoenix:enabled', 'false');
    expect((await group(fleet)).tags['phoenix:enabled']).toBe('false');
  });

  it('shows the group as it was before a write, to every read, for up to the longest lag, then as it is', async () => {
    const fleet = lagged();
    fleet.setGroupTag('web', 'phoenix:enabled', undefined);
    expect((await group(fleet)).tags['phoenix:enabled']).toBe('true');
    expect((await fleet.listOptedInGroups()).map((found) => found.name)).toEqual(['web']);
    fleet.advanceTo(SIM_START_NOON + MINUTE);
    expect((await group(fleet)).tags['phoenix:enabled']).toBeUndefined();
    expect(await fleet.listOptedInGroups()).toEqual([]);
  });

  it('lags Phoenix’s own writes too, while the world’s view is the true state', async () => {
    const fleet = lagged();
    await fleet.setDesiredCapacity('web', 5);
    expect((await group(fleet)).desired).toBe(4);
    expect(fleet.view('web').desired).toBe(5);
  });

  it('acts on the true state: a terminate of an instance a stale read still shows InService is refused', async () => {
    const fleet = lagged();
    const victim = first(await group(fleet)).id;
    await fleet.terminateInstance('web', victim, { decrementDesired: false });
    expect(states(await group(fleet))[victim]).toBe('InService');
    await expect(fleet.terminateInstance('web', victim, { decrementDesired: false })).rejects.toMatchObject({ name: 'ValidationError' });
    expect(fleet.violations().doubleTermination).toBe(1);
  });

  it('draws each lag from the fleet’s seed: the same for the same seed, up to the maximum', async () => {
    async function staleFor(seed: number): Promise<number> {
      const fleet = fleetOf([spec()], { describeLag: MINUTE, seed });
      fleet.setGroupTag('web', 'team', 'x');
      let at = SIM_START_NOON;
      while ((await group(fleet)).tags['team'] === undefined) {
        at += SECOND;
        fleet.advanceTo(at);
      }
      return at - SIM_START_NOON;
    }
    const lags = await Promise.all([1, 2, 3, 4, 5].map(staleFor));
    expect(await Promise.all([1, 2, 3, 4, 5].map(staleFor))).toEqual(lags);
    expect(new Set(lags).size).toBeGreaterThan(1);
    expect(Math.max(...lags)).toBeLessThanOrEqual(MINUTE);
  });
});

describe('faults', () => {
  async function outcomes(seed: number): Promise<string[]> {
    const fleet = fleetOf([spec()], { seed, faults: { throttleRate: 0.3, serverErrorRate: 0.2 } });
    const seen: string[] = [];
    for (let call = 0; call < 40; call += 1) {
      seen.push(
        await fleet.listOptedInGroups().then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      );
    }
    return seen;
  }

  it('are the same for the same seed, and both kinds occur', async () => {
    const once = await outcomes(11);
    expect(await outcomes(11)).toEqual(once);
    expect(await outcomes(12)).not.toEqual(once);
    expect(new Set(once)).toEqual(new Set(['ok', 'ThrottlingException', 'ServiceUnavailable']));
  });

  it.each([
    { case: 'throttling', faults: { throttleRate: 1, serverErrorRate: 0 }, name: 'ThrottlingException', status: 400 },
    { case: 'server error', faults: { throttleRate: 0, serverErrorRate: 1 }, name: 'ServiceUnavailable', status: 503 },
  ])('$case is retryable and changes nothing', async ({ faults, name, status }) => {
    const fleet = fleetOf([spec()]);
    const before = await group(fleet);
    fleet.setFaults(faults);
    const expected = { name, retryable: true, $metadata: { httpStatusCode: status } };
    // A throttled termination is reported as the AWS adapter reports it: refused, with the service's error as its cause.
    const termination = await fleet.terminateInstance('web', first(before).id, { decrementDesired: false }).catch((error: unknown) => error);
    if (name === 'ThrottlingException') expect(termination).toMatchObject({ name: 'CallRefusedError', cause: expected });
    else expect(termination).toMatchObject(expected);
    await expect(fleet.setDesiredCapacity('web', 6)).rejects.toMatchObject(expected);
    await expect(fleet.tagGroup('web', { 'phoenix:quarantined': 'x' })).rejects.toMatchObject(expected);
    fleet.setFaults(undefined);
    expect(await group(fleet)).toEqual(before);
    expect(fleet.activities()).toEqual([]);
    expect(fleet.violations()).toEqual(NO_VIOLATIONS);
    expect(fleet.calls().map((call) => call.outcome)).toEqual(['fault', 'fault', 'fault']);
  });

  it('do not change the fleet’s own draws', async () => {
    async function statesMidLaunch(faults: FaultRates | undefined): Promise<Record<string, LifecycleState>> {
      const fleet = fleetOf([spec({ max: 12, launchDelay: { min: MINUTE, max: 3 * MINUTE } })], faults === undefined ? {} : { faults });
      // Retried like the SDK would: every faulted attempt draws from the fault stream only.
      for (let done = false; !done; ) {
        done = await fleet.setDesiredCapacity('web', 12).then(
          () => true,
          (error: Error) => {
            if (error.name === 'ValidationError') throw error;
            return false;
          },
        );
      }
      fleet.advanceTo(SIM_START_NOON + 2 * MINUTE);
      fleet.setFaults(undefined);
      return states(await group(fleet));
    }
    const quiet = await statesMidLaunch(undefined);
    expect(await statesMidLaunch({ throttleRate: 0.5, serverErrorRate: 0.3 })).toEqual(quiet);
    expect(new Set(Object.values(quiet))).toEqual(new Set(['InService', 'Pending']));
  });
});

describe('concurrency', () => {
  it('overlapping callers interleave at every call, like two Lambdas', async () => {
    const fleet = fleetOf([spec()]);
    const order: string[] = [];
    const tick = async (name: string): Promise<void> => {
      const [read] = await fleet.listOptedInGroups();
      order.push(`${name} read`);
      await fleet.terminateInstance('web', first(read as Group).id, { decrementDesired: false }).catch(() => order.push(`${name} refused`));
      order.push(`${name} acted`);
    };
    await Promise.all([tick('a'), tick('b')]);
    // Both read before either acts: the second terminate finds the instance already terminating.
    expect(order.slice(0, 2).sort()).toEqual(['a read', 'b read']);
    expect(order.filter((step) => step.endsWith('refused'))).toEqual(['b refused']);
    expect(fleet.violations().doubleTermination).toBe(1);
  });
});

describe('ageStats', () => {
  /** Max-age 1d; A is 23 h old, B brand new; A is terminated at +2 h and its replacement is InService at +3 h. */
  async function handMade(): Promise<SimFleet> {
    const fleet = fleetOf([
      spec({
        size: 2,
        tags: { ...OPTED_IN, 'phoenix:max-age': '1d', 'phoenix:min-healthy': '0' },
        instances: [{ age: 23 * HOUR }, { age: 0 }],
        launchDelay: { min: HOUR, max: HOUR },
        terminateHookWait: 0,
      }),
      spec({ name: 'dry', tags: { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '1d' }, instances: [{ age: 30 * DAY }], size: 1 }),
      spec({
        name: 'exempt',
        tags: { ...OPTED_IN, 'phoenix:max-age': '1d' },
        instances: [{ age: 30 * DAY, tags: { 'phoenix:exempt': 'true' } }],
        size: 1,
      }),
    ]);
    fleet.advanceTo(SIM_START_NOON + 2 * HOUR);
    await fleet.terminateInstance('web', first(await group(fleet)).id, { decrementDesired: false });
    fleet.advanceTo(SIM_START_NOON + 10 * HOUR);
    return fleet;
  }

  it.each([
    // A serves 2 h (1 h within 24 h), its replacement 7 h (all within), B 10 h (all within): 18 of 19.
    { case: 'no tolerance', tolerance: 0, pct: (18 / 19) * 100 },
    // One hour of tolerance covers A's last hour too.
    { case: 'one hour of tolerance', tolerance: HOUR, pct: 100 },
  ])('$case', async ({ tolerance, pct }) => {
    const fleet = await handMade();
    const stats = fleet.ageStats({ until: SIM_START_NOON + 10 * HOUR, tolerance });
    expect(stats.withinMaxAgePct).toBeCloseTo(pct, 9);
    expect(stats.oldestInstanceHours).toBeCloseTo(10, 9);
  });

  it('is per group on request, and 100 with no instance-hours to judge', async () => {
    const fleet = await handMade();
    expect(fleet.ageStats({ until: SIM_START_NOON + 10 * HOUR, tolerance: 0, group: 'dry' })).toEqual({ withinMaxAgePct: 100, oldestInstanceHours: 0 });
    expect(fleet.ageStats({ until: SIM_START_NOON + 10 * HOUR, tolerance: 0, group: 'exempt' })).toEqual({ withinMaxAgePct: 100, oldestInstanceHours: 0 });
    expect(fleet.oldestInstanceHours('dry', SIM_START_NOON + 10 * HOUR)).toBeCloseTo(30 * 24 + 10, 9);
    expect(fleet.oldestInstanceHours('exempt', SIM_START_NOON + 10 * HOUR)).toBeUndefined();
  });

  it('samples each group at every advance', async () => {
    const fleet = await handMade();
    expect(fleet.series('web').map((sample) => [(sample.at - SIM_START_NOON) / HOUR, sample.desired, sample.inServiceHealthy, sample.inTransition])).toEqual([
      [2, 2, 2, 0],
      [10, 2, 2, 0],
    ]);
  });
});
