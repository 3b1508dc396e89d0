import { describe, expect, it } from 'vitest';
import type { TickSettings } from '../../../functions/app/tick.js';
import { runTick } from '../../../functions/app/tick.js';
import type { Group } from '../../../functions/core/model.js';
import { DAY, MINUTE } from '../../../functions/core/model.js';
import { type FakeEvents, fakeRunDeps } from '../../support/fakes.js';
import { group, instance, NOW, terminatingSurgeRecord } from '../../support/fleet.js';

/** The events about replacements, without the advance notices every tick also publishes. */
const recordEvents = (events: FakeEvents) => events.published.filter((event) => event.detailType !== 'Recycle Scheduled');
const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 5 };

/** min = max = desired = 4, opted in to max-surge; i-1 is past max-age. */
const fixed: Group = {
  ...group({ size: 4, min: 4, max: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * DAY })) }),
  tags: { 'phoenix:enabled': 'true', 'phoenix:max-age': '7d', 'phoenix:max-surge': '1' },
};
/** After the replacement: i-1 gone, its successor in service, desired back to 4, max still 5 unless given. */
const recovered = (max = 5): Group => ({
  ...fixed,
  max,
  instances: [...fixed.instances.filter((one) => one.id !== 'i-1'), instance({ id: 'i-new', launchedAt: NOW - 15 * MINUTE })],
});
const terminating = terminatingSurgeRecord({ maxRaise: { fromMax: 4, toMax: 5 } });

function world(groups: Group[], records = [terminating]) {
  return fakeRunDeps(groups, records);
}

const mutating = (calls: readonly string[]) => calls.filter((call) => /^(terminate|setDesired|setMax|tagGroup)/.test(call));

describe('a tick in a group at its max size with phoenix:max-surge=1', () => {
  it('writes the max size to restore into the record before raising max, then desired', async () => {
    const deps = world([fixed], []);
    const seenAtRaise: unknown[] = [];
    const setMaxSize = deps.fleet.setMaxSize.bind(deps.fleet);
    deps.fleet.setMaxSize = async (name, maxSize) => {
      seenAtRaise.push(...[...deps.ledger.records.values()].map((stored) => stored.maxRaise));
      return setMaxSize(name, maxSize);
    };
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['setMaxSize web 5', 'setDesiredCapacity web 5']);
    expect(seenAtRaise).toEqual([{ fromMax: 4, toMax: 5 }]);
    expect([...deps.ledger.records.values()]).toMatchObject([
      { phase: 'surging', surge: { fromDesired: 4, toDesired: 5 }, maxRaise: { fromMax: 4, toMax: 5 } },
    ]);
  });

  it('a raise that fails leaves the record open and desired alone, for the next run to close', async () => {
    const deps = world([fixed], []);
    deps.fleet.failing.set('setMaxSize', new Error('ServiceUnavailable'));
    const result = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['setMaxSize web 5']);
    expect([...deps.ledger.records.values()]).toMatchObject([{ phase: 'surging', maxRaise: { fromMax: 4, toMax: 5 } }]);
    expect(result.outcomes).toMatchObject([{ kind: 'failed' }]);
  });

  it('a verified replacement puts max size back before its record closes', async () => {
    const deps = world([recovered()]);
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['setMaxSize web 4']);
    expect(deps.ledger.records.get(terminating.id)).toMatchObject({ phase: 'verified' });
  });

  it('a restore that fails keeps the record open; the verifier’s sweep makes it again and closes', async () => {
    const deps = world([recovered()]);
    deps.fleet.failing.set('setMaxSize', new Error('Throttling'));
    const failed = await runTick(deps, settings, NOW);
    expect(deps.ledger.records.get(terminating.id)).toMatchObject({ phase: 'terminating' });
    expect(failed.outcomes).toMatchObject([{ kind: 'failed', why: 'could not put max size back to 4' }]);
    deps.fleet.failing.clear();
    deps.fleet.calls.length = 0;
    await runTick(deps, settings, NOW + 5 * MINUTE, { kind: 'verify', groups: undefined });
    expect(mutating(deps.fleet.calls)).toEqual(['setMaxSize web 4']);
    expect(deps.ledger.records.get(terminating.id)).toMatchObject({ phase: 'verified' });
  });

  it('a max size someone else changed meanwhile is left alone, and the close reports it', async () => {
    const deps = world([recovered(8)]);
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(deps.ledger.records.get(terminating.id)).toMatchObject({
      phase: 'verified',
      detail: expect.stringContaining('max size left at 8'),
      maxLeft: { maxSize: 8, why: expect.stringContaining('someone changed it') },
    });
    expect(recordEvents(deps.events)).toMatchObject([
      { detailType: 'Recovery Verified' },
      {
        detailType: 'Max Size Left Raised',
        detail: { group: 'web', maxSize: 8, maxSizeBeforeSurge: 4, reason: expect.stringContaining('someone changed it') },
      },
    ]);
    expect(deps.logger.lines.some((line) => line.level === 'warn' && line.message === 'max size left to its owner')).toBe(true);
  });
});
