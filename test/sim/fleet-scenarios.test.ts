import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../functions/core/decide/random.js';
import { HOUR } from '../../functions/core/model.js';
import { parseGroupPolicy } from '../../functions/core/policy/tags.js';
import type { SimGroupSpec } from '../../sim/fleet.js';
import { SimFleet } from '../../sim/fleet.js';
import type { ScenarioName } from '../../sim/scenarios.js';
import { buildScenario } from '../../sim/scenarios.js';
import { SIM_START } from '../support/clock.js';

const OPTIONS = { groups: 50, size: 20, seed: 1, start: SIM_START };

function tagValues(specs: readonly SimGroupSpec[], key: string): Set<string | undefined> {
  return new Set(specs.map((spec) => spec.tags[key]));
}

function countWhere(specs: readonly SimGroupSpec[], predicate: (spec: SimGroupSpec) => boolean): number {
  return specs.filter(predicate).length;
}

describe('buildScenario', () => {
  it.each<{ case: string; name: ScenarioName }>([
    { case: 'steady', name: 'steady' },
    { case: 'bad-tags', name: 'bad-tags' },
  ])('$case is the same for the same seed and differs for another', ({ name }) => {
    const once = buildScenario(name, OPTIONS);
    expect(buildScenario(name, OPTIONS)).toEqual(once);
    expect(buildScenario(name, { ...OPTIONS, seed: 2 })).not.toEqual(once);
    expect(once).toHaveLength(50);
    expect(once.every((spec) => spec.instances.length === 20 && spec.desired === 20)).toBe(true);
  });

  it('names groups like svc-001-web, each once', () => {
    const names = buildScenario('steady', OPTIONS).map((spec) => spec.name);
    expect(names.every((name) => /^svc-\d{3}-[a-z]+$/.test(name))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe('svc-001-web');
  });

  it('rejects sizes that are not whole numbers', () => {
    expect(() => buildScenario('steady', { ...OPTIONS, size: 2.5 })).toThrow(RangeError);
  });

  it('builds a fleet the simulator accepts', async () => {
    const fleet = new SimFleet({ start: SIM_START, random: seededRandom(1), groups: buildScenario('steady', OPTIONS) });
    const groups = await fleet.listOptedInGroups();
    expect(groups.length).toBeGreaterThan(40);
    expect(groups.every((group) => group.instances.length === 20 && !group.scalingActivityInProgress)).toBe(true);
  });
});

describe('the steady mix', () => {
  const specs = buildScenario('steady', OPTIONS);
  const optedIn = specs.filter((spec) => spec.tags['phoenix:enabled'] !== undefined);

  it.each([
    { case: 'live groups', count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => spec.tags['phoenix:enabled'] === 'true'), min: 30 },
    { case: 'dry-run groups (~10%)', count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => spec.tags['phoenix:enabled'] === 'dry-run'), min: 3 },
    {
      case: 'groups with phoenix:enabled=false',
      count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => spec.tags['phoenix:enabled'] === 'false'),
      min: 1,
    },
    {
      case: 'groups without any phoenix tag',
      count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => !Object.keys(spec.tags).some((key) => key.startsWith('phoenix:'))),
      min: 1,
    },
    { case: 'chaos groups', count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => spec.tags['phoenix:chaos'] === '2d'), min: 2 },
    { case: 'windowed groups', count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => spec.tags['phoenix:window'] !== undefined), min: 2 },
    {
      case: 'exempt instances',
      count: (all: readonly SimGroupSpec[]) => all.flatMap((spec) => spec.instances).filter((instance) => instance.tags?.['phoenix:exempt'] === 'true').length,
      min: 1,
    },
    {
      case: 'protected instances',
      count: (all: readonly SimGroupSpec[]) => all.flatMap((spec) => spec.instances).filter((instance) => instance.protectedFromScaleIn === true).length,
      min: 1,
    },
    {
      case: 'groups launched all at once',
      count: (all: readonly SimGroupSpec[]) => countWhere(all, (spec) => new Set(spec.instances.map((instance) => instance.age)).size === 1),
      min: 2,
    },
  ])('has $case', ({ count, min }) => {
    expect(count(specs)).toBeGreaterThanOrEqual(min);
  });

  it.each([
    { case: 'max-ages', key: 'phoenix:max-age', values: ['3d', '5d', '7d'] },
    { case: 'budgets, the default included', key: 'phoenix:budget', values: [undefined, '1/hour', '2/hour', '6/day'] },
    { case: 'min-healthy, the default included', key: 'phoenix:min-healthy', values: [undefined, '90', '80'] },
    { case: 'windows, absent included', key: 'phoenix:window', values: [undefined, 'Mon-Fri 08:00-18:00 Europe/Berlin', 'daily 00:00-24:00 UTC'] },
  ])('varies $case', ({ key, values }) => {
    const seen = tagValues(optedIn, key);
    for (const value of values) expect(seen).toContain(value);
  });

  it('has tags that all parse', () => {
    expect(optedIn.filter((spec) => !parseGroupPolicy(spec.tags).ok).map((spec) => spec.name)).toEqual([]);
  });

  it('gives every group a budget that keeps up with its max-age', () => {
    for (const spec of optedIn) {
      const parsed = parseGroupPolicy(spec.tags);
      if (!parsed.ok || parsed.policy.maxAge === undefined) continue;
      const perHour = parsed.policy.budget.count / (parsed.policy.budget.period / HOUR);
      expect(perHour, spec.name).toBeGreaterThanOrEqual(spec.instances.length / (parsed.policy.maxAge / HOUR));
    }
  });

  it('starts every instance younger than its max-age', () => {
    for (const spec of optedIn) {
      const parsed = parseGroupPolicy(spec.tags);
      if (!parsed.ok || parsed.policy.maxAge === undefined) continue;
      for (const instance of spec.instances) expect(instance.age, spec.name).toBeLessThan(parsed.policy.maxAge);
    }
  });
});

describe('the bad-tags mix', () => {
  const steady = buildScenario('steady', OPTIONS);
  const bad = buildScenario('bad-tags', OPTIONS);
  const broken = bad.filter((spec) => spec.tags['phoenix:enabled'] !== undefined && !parseGroupPolicy(spec.tags).ok);

  it('breaks about one group in four', () => {
    expect(broken.length).toBeGreaterThanOrEqual(10);
    expect(broken.length).toBeLessThanOrEqual(15);
  });

  it.each([
    { case: 'max-age 7days', tag: 'phoenix:max-age', value: '7days' },
    { case: 'budget 2/fortnight', tag: 'phoenix:budget', value: '2/fortnight' },
    { case: 'window Mon-Fri 9-5', tag: 'phoenix:window', value: 'Mon-Fri 9-5' },
    { case: 'min-healthy 110', tag: 'phoenix:min-healthy', value: '110' },
    { case: 'chaos sometimes', tag: 'phoenix:chaos', value: 'sometimes' },
    { case: 'the unknown key phoenix:maxage', tag: 'phoenix:maxage', value: '7d' },
  ])('includes $case, reported by the parser under that tag', ({ tag, value }) => {
    const carrier = broken.find((spec) => spec.tags[tag] === value);
    expect(carrier).toBeDefined();
    const parsed = parseGroupPolicy(carrier?.tags ?? {});
    expect(parsed.ok ? [] : parsed.errors.map((error) => error.tag)).toContain(tag);
  });

  it('leaves everything else as in the steady fleet', () => {
    expect(bad.map(({ tags: _, ...rest }) => rest)).toEqual(steady.map(({ tags: _, ...rest }) => rest));
  });
});
