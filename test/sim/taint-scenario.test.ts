import { describe, expect, it } from 'vitest';
import type { SkipReason } from '../../functions/core/decide/decision.js';
import { seededRandom } from '../../functions/core/decide/random.js';
import type { Millis } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import type { GroupPolicy } from '../../functions/core/policy/policy.js';
import { parseGroupPolicy } from '../../functions/core/policy/tags.js';
import { parseTaint } from '../../functions/core/taint/taint.js';
import type { SimGroupSpec } from '../../sim/fleet.js';
import { SimFleet } from '../../sim/fleet.js';
import { buildScenario, buildScript } from '../../sim/scenarios.js';
import type { ScriptEvent } from '../../sim/script.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import type { TouchEvent } from '../../sim/touches.js';
import { TouchLog, touchedInstances } from '../../sim/touches.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const OPTIONS = { ...DEFAULT_SIMULATION, scenario: 'taint' as const };
/** Gates that may hold a group past a touched instance's grace: a tainted instance still waits for the window, budget and stability. */
const HOLDING: ReadonlySet<SkipReason> = new Set<SkipReason>(['outside-window', 'budget-spent', 'not-stable']);

function policyOf(tags: Readonly<Record<string, string>>): GroupPolicy {
  const parsed = parseGroupPolicy(tags);
  if (!parsed.ok) throw new Error(`tags do not parse: ${JSON.stringify(tags)}`);
  return parsed.policy;
}

function touchesIn(events: readonly ScriptEvent[]): TouchEvent[] {
  return events.flatMap((event) => (event.kind === 'touch' ? [event] : []));
}

describe('the taint script', () => {
  const fleet = buildScenario('taint', OPTIONS);
  const script = buildScript('taint', fleet, OPTIONS);
  const touches = touchesIn(script.events);
  const enabled = new Map(fleet.map((spec) => [spec.name, spec.tags['phoenix:enabled']] as const));

  it('runs on the steady fleet and is the same for the same seed, another for another', () => {
    expect(fleet).toEqual(buildScenario('steady', OPTIONS));
    expect(buildScript('taint', fleet, OPTIONS)).toEqual(script);
    expect(buildScript('taint', fleet, { ...OPTIONS, seed: 2 })).not.toEqual(script);
  });

  it('keeps its events in time order, inside the run, on whole seconds', () => {
    const times = script.events.map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((at) => at >= OPTIONS.start && at < OPTIONS.start + OPTIONS.days * DAY && at % 1000 === 0)).toBe(true);
  });

  it('has engineers touch random instances a few times a day, in groups opted in and not', () => {
    const random = touches.filter((touch) => touch.target !== 'oldest' && touch.target !== 'same');
    expect(random).toHaveLength(5 * OPTIONS.days);
    expect(random.some((touch) => enabled.get(touch.group) === 'true')).toBe(true);
    expect(random.some((touch) => enabled.get(touch.group) !== 'true')).toBe(true);
    expect(new Set(random.map((touch) => Math.floor((touch.at - OPTIONS.start) / DAY))).size).toBeGreaterThanOrEqual(5);
  });

  it('has one engineer come back to the same instance every 20 to 40 minutes for a few hours', () => {
    const session = touches.filter((touch) => touch.target === 'oldest' || touch.target === 'same');
    expect(session[0]?.target).toBe('oldest');
    expect(session.slice(1).every((touch) => touch.target === 'same')).toBe(true);
    expect(new Set(session.map((touch) => `${touch.group} ${touch.by}`)).size).toBe(1);
    expect(session.length).toBeGreaterThanOrEqual(6);
    for (const [index, touch] of session.slice(1).entries()) {
      const gap = touch.at - (session[index]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(20 * MINUTE);
      expect(gap).toBeLessThanOrEqual(40 * MINUTE);
    }
    expect(policyOf(fleet.find((spec) => spec.name === session[0]?.group)?.tags ?? {}).mode).toBe('live');
  });

  it('deploys a new launch template version to some live groups on Wednesday noon', () => {
    const deploys = script.events.flatMap((event) => (event.kind === 'deploy' ? [event] : []));
    expect(deploys.length).toBeGreaterThanOrEqual(2);
    for (const deploy of deploys) {
      const spec = fleet.find((candidate) => candidate.name === deploy.group);
      expect(deploy.at).toBe(Date.UTC(2026, 10, 18, 12));
      expect(policyOf(spec?.tags ?? {}).mode).toBe('live');
      expect(deploy.version).not.toBe(spec?.launchTemplate.version);
    }
  });
});

describe('touches, as the taint function tags them', () => {
  const start = Date.UTC(2026, 10, 16, 12);
  const spec = (name: string, tags: Readonly<Record<string, string>>): SimGroupSpec => ({
    name,
    desired: 3,
    min: 1,
    max: 5,
    tags,
    launchTemplate: { id: 'lt-1', version: '1' },
    instances: [{ age: 3 * DAY }, { age: 2 * DAY }, { age: DAY }],
  });
  const touch = (at: Millis, group: string, target: TouchEvent['target'], by = 'alice'): TouchEvent => ({
    at,
    kind: 'touch',
    group,
    target,
    by,
    via: 'ssm-session',
  });

  function fleetAndLog(): { fleet: SimFleet; log: TouchLog } {
    const groups = [spec('in', { 'phoenix:enabled': 'true' }), spec('dry', { 'phoenix:enabled': 'dry-run' }), spec('out', {})];
    return { fleet: new SimFleet({ start, random: seededRandom(1), groups }), log: new TouchLog() };
  }

  const taintOn = (fleet: SimFleet, group: string) =>
    fleet.view(group).instances.flatMap((instance) => {
      const tag = instance.tags['phoenix:tainted'];
      return tag === undefined ? [] : [{ id: instance.id, taint: parseTaint(tag) }];
    });

  it('tags an instance of a group with phoenix:enabled=true, and a later touch overwrites the tag', () => {
    const { fleet, log } = fleetAndLog();
    log.apply(fleet, touch(start, 'in', 'oldest'));
    const [oldest] = fleet.view('in').instances;
    log.apply(fleet, touch(start + 30 * MINUTE, 'in', 'same'));
    expect(taintOn(fleet, 'in')).toEqual([{ id: oldest?.id, taint: { at: start + 30 * MINUTE, by: 'alice', via: 'ssm-session' } }]);
    expect(log.touches().map((entry) => entry.tagged)).toEqual([true, true]);
  });

  it('leaves dry-run and untagged groups alone, but still logs the touch', () => {
    const { fleet, log } = fleetAndLog();
    log.apply(fleet, touch(start, 'dry', { pick: 0.5 }));
    log.apply(fleet, touch(start, 'out', { pick: 0.9 }));
    expect([...taintOn(fleet, 'dry'), ...taintOn(fleet, 'out')]).toEqual([]);
    expect(log.touches().map((entry) => [entry.group, entry.tagged])).toEqual([
      ['dry', false],
      ['out', false],
    ]);
  });

  it("reaches nobody when the person's last instance is no longer in service", () => {
    const { fleet, log } = fleetAndLog();
    log.apply(fleet, touch(start, 'in', { pick: 0 }));
    fleet.removeInstanceSilently(log.touches()[0]?.instanceId ?? '');
    log.apply(fleet, touch(start + MINUTE, 'in', 'same'));
    expect(log.touches()).toHaveLength(1);
  });
});

describe('a simulated week of the taint scenario', async () => {
  const result = await simulate(OPTIONS);
  const { summary } = result;
  const specs = buildScenario('taint', OPTIONS);
  const script = buildScript('taint', specs, OPTIONS);
  const enabledAtStart = new Map(specs.map((spec) => [spec.name, spec.tags['phoenix:enabled']] as const));
  const policies = new Map(
    result.groupsAtEnd.flatMap((group) => (enabledAtStart.get(group.name) === 'true' ? [[group.name, policyOf(group.tags)] as const] : [])),
  );
  const touched = touchedInstances(result.touches, result.calls);
  const end = OPTIONS.start + OPTIONS.days * DAY;

  it('tags only instances of opted-in groups, and Phoenix acts in no other group', () => {
    expect(result.touches.every((touch) => touch.tagged === (enabledAtStart.get(touch.group) === 'true'))).toBe(true);
    expect(summary.taint.ignoredTouches).toBeGreaterThan(0);
    const notOptedIn = new Set(specs.filter((spec) => spec.tags['phoenix:enabled'] !== 'true').map((spec) => spec.name));
    expect(result.calls.filter((call) => notOptedIn.has(call.group))).toEqual([]);
    const taggedThere = result.groupsAtEnd
      .filter((group) => notOptedIn.has(group.name))
      .flatMap((group) => group.instances.filter((instance) => 'phoenix:tainted' in instance.tags));
    expect(taggedThere).toEqual([]);
  });

  it('replaces touched instances, as tainted, and counts them in the summary', () => {
    expect(summary.terminations.tainted).toBeGreaterThan(0);
    expect(summary.taint.touchedInstances).toBe(touched.length);
    expect(summary.taint.replaced).toBe(touched.filter((instance) => instance.terminatedAt !== undefined).length);
    // After its grace a touched instance is its group's first candidate; before it, no rule may take it.
    expect(summary.taint.replaced).toBe(summary.terminations.tainted);
    const tainted = result.records.filter((record) => record.reason === 'tainted');
    for (const instance of touched.filter((candidate) => candidate.terminatedAt !== undefined)) {
      expect(tainted.find((record) => record.instanceId === instance.instanceId)?.touchedAt, instance.instanceId).toBe(instance.lastTouch);
    }
  });

  it('never replaces a touched instance before its grace has passed since the last touch', () => {
    const sessionStart = touchesIn(script.events).find((touch) => touch.target === 'oldest');
    const session = result.touches.filter((touch) => touch.by === sessionStart?.by && touch.group === sessionStart.group);
    // The persistent engineer kept one instance alive past the grace of their first touch by touching it again.
    expect(new Set(session.map((touch) => touch.instanceId)).size).toBe(1);
    const first = session[0];
    const last = session.at(-1);
    const grace = policies.get(first?.group ?? '')?.taintGrace ?? Infinity;
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThan(grace);
    for (const instance of touched) {
      if (instance.terminatedAt === undefined) continue;
      const policy = policies.get(instance.group);
      expect(instance.terminatedAt - instance.lastTouch, instance.instanceId).toBeGreaterThanOrEqual(policy?.taintGrace ?? Infinity);
    }
  });

  it('starts each replacement at the first tick after grace at which no gate holds the group, and finishes within the recovery timeout', () => {
    for (const instance of touched) {
      const policy = policies.get(instance.group);
      if (policy === undefined) throw new Error(`no policy for ${instance.group}`);
      const ready = instance.lastTouch + policy.taintGrace;
      const record = result.records.find((candidate) => candidate.instanceId === instance.instanceId && candidate.mode === 'live');
      const startedAt = record?.startedAt ?? end;
      let heldUntil = ready;
      for (const tick of result.ticks) {
        if (tick.at < ready || tick.at >= startedAt) continue;
        const decision = tick.decisions.find((candidate) => candidate.group === instance.group);
        const held =
          (decision?.kind === 'skip' && HOLDING.has(decision.reason)) ||
          decision?.kind === 'progress' ||
          (decision?.kind === 'start' && decision.reason === 'tainted' && (decision.touchedAt ?? Infinity) <= instance.lastTouch);
        expect(held, `${instance.instanceId} at ${new Date(tick.at).toISOString()}: ${JSON.stringify(decision)}`).toBe(true);
        heldUntil = tick.at;
      }
      if (instance.terminatedAt === undefined) continue;
      expect(instance.terminatedAt - heldUntil, instance.instanceId).toBeLessThanOrEqual(OPTIONS.tickInterval + policy.recoveryTimeout);
    }
  });

  it('leaves no instance of the deployed groups on the old launch template', () => {
    expect(summary.terminations['stale-config']).toBeGreaterThan(0);
    expect(summary.staleConfig).toBe(0);
    for (const deploy of script.events.flatMap((event) => (event.kind === 'deploy' ? [event] : []))) {
      const group = result.groupsAtEnd.find((candidate) => candidate.name === deploy.group);
      // Exempt and scale-in-protected instances are never picked, so they keep the version they have.
      const pickable = group?.instances.filter((instance) => !('phoenix:exempt' in instance.tags) && !instance.protectedFromScaleIn) ?? [];
      expect(pickable.length, deploy.group).toBeGreaterThan(0);
      for (const instance of pickable) expect(instance.launchSource, `${deploy.group} ${instance.id}`).toMatchObject({ version: deploy.version });
      expect(result.groups.find((candidate) => candidate.group === deploy.group)?.recycled['stale-config'], deploy.group).toBeGreaterThan(0);
    }
  });

  it('breaks no safety rule, fails no recovery, and summarises touch-to-replacement time', () => {
    expect(summary.violations).toEqual(NO_VIOLATIONS);
    expect(summary.terminationsAfterQuarantine).toBe(0);
    expect(summary.recoveries.failed).toBe(0);
    const { p50, p95, max } = summary.taint.touchToReplacementSeconds;
    expect(p50).toBeGreaterThanOrEqual(HOUR / 1000);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(max);
  });
});
