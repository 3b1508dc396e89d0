import { describe, expect, it } from 'vitest';
import type { TickSettings } from '../../../functions/app/tick.js';
import { runTick } from '../../../functions/app/tick.js';
import type { Group } from '../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { fakeRunDeps } from '../../support/fakes.js';
import { group, instance, NOW, withTags } from '../../support/fleet.js';

const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 5 };
const UNTIL = NOW + 6 * HOUR;

/** i-1 is 8 days old and due; min-healthy 75 lets Phoenix terminate directly. */
const due: Group = withTags(group({ size: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * DAY })) }), {
  'phoenix:min-healthy': '75',
});
const snoozed = withTags(due, { 'phoenix:snooze-until': new Date(UNTIL).toISOString() });

function world(groups: Group[]) {
  return fakeRunDeps(groups);
}

describe('a tick and snoozes', () => {
  it('marks a snooze the first time it sees it, terminates nothing, and reads the ledger once', async () => {
    const deps = world([snoozed]);
    const result = await runTick(deps, settings, NOW);
    expect(result.decisions).toMatchObject([{ kind: 'skip', reason: 'snoozed' }]);
    expect(deps.fleet.calls).toEqual(['listOptedInGroups']);
    expect(deps.ledger.snoozes).toEqual([{ group: 'web', until: UNTIL, seenAt: NOW }]);
    expect(deps.ledger.reads).toEqual(['recordsSince']);
    expect(deps.logger.lines.find((line) => line.message === 'snooze seen')?.fields).toMatchObject({ group: 'web', snooze: 'held' });
  });

  it('keeps the first sighting: a later tick writes no second mark', async () => {
    const deps = world([snoozed]);
    await runTick(deps, settings, NOW);
    await runTick(deps, settings, NOW + 10 * MINUTE);
    expect(deps.ledger.snoozes).toEqual([{ group: 'web', until: UNTIL, seenAt: NOW }]);
  });

  it('still holds the snooze when its mark cannot be written, and says so', async () => {
    const deps = world([snoozed]);
    deps.ledger.failSnoozeMarks = new Error('ProvisionedThroughputExceededException');
    const result = await runTick(deps, settings, NOW);
    expect(result.decisions).toMatchObject([{ kind: 'skip', reason: 'snoozed' }]);
    expect(deps.fleet.calls).toEqual(['listOptedInGroups']);
    expect(deps.logger.lines.find((line) => line.message === 'could not mark a snooze')?.fields['error']).toContain('ProvisionedThroughput');
  });

  it('refuses a snooze beyond the weekly limit, marks it, and recycles', async () => {
    const deps = world([snoozed]);
    deps.ledger.snoozes.push(...[1, 2, 3].map((days) => ({ group: 'web', until: NOW - days * DAY, seenAt: NOW - days * DAY - HOUR })));
    const result = await runTick(deps, settings, NOW);
    expect(result.decisions).toMatchObject([{ kind: 'start', instanceId: 'i-1', reason: 'max-age' }]);
    expect(deps.ledger.snoozes).toContainEqual({ group: 'web', until: UNTIL, seenAt: NOW });
    expect(deps.logger.lines.find((line) => line.message === 'snooze seen')?.fields['snooze']).toContain('snooze refused');
  });

  it('marks nothing for a group without the tag', async () => {
    const deps = world([due]);
    await runTick(deps, settings, NOW);
    expect(deps.ledger.snoozes).toEqual([]);
  });
});
