import { describe, expect, it } from 'vitest';
import { parseRecyclerConfig, parseTainterConfig } from '../../../functions/app/config.js';
import type { TickSettings } from '../../../functions/app/tick.js';
import { runTick } from '../../../functions/app/tick.js';
import type { Group } from '../../../functions/core/model.js';
import { DAY, MINUTE } from '../../../functions/core/model.js';
import { fakeRunDeps } from '../../support/fakes.js';
import { group, instance, NOW, withTags } from '../../support/fleet.js';

const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 5 };
const due: Group = withTags(group({ size: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * DAY })) }), {
  'phoenix:min-healthy': '75',
  team: 'payments',
  owner: 'alice@example.com',
});

function world(groups: Group[]) {
  return fakeRunDeps(groups);
}

describe('owners', () => {
  it('a replacement keeps its group owner tag (team by default) and its events carry it', async () => {
    const deps = world([due]);
    await runTick(deps, settings, NOW);
    expect([...deps.ledger.records.values()]).toMatchObject([{ owner: 'payments' }]);
    // The recycle, and the advance notice of the next one due (i-2, at max-age within the hour), both name it.
    expect(deps.events.published).toMatchObject([
      { detailType: 'Instance Recycled', detail: { owner: 'payments' } },
      { detailType: 'Recycle Scheduled', detail: { instanceId: 'i-2', owner: 'payments' } },
    ]);
  });

  it('reads the owner from the tag the deployment names', async () => {
    const deps = world([due]);
    await runTick(deps, { ...settings, ownerTagKey: 'owner' }, NOW);
    expect(deps.events.published).toMatchObject([{ detail: { owner: 'alice@example.com' } }, { detail: { owner: 'alice@example.com' } }]);
  });

  it('a group without the tag has no owner: the events say null, never a guess', async () => {
    const deps = world([withTags(group({ size: 4, instances: due.instances }), { 'phoenix:min-healthy': '75' })]);
    await runTick(deps, settings, NOW);
    expect([...deps.ledger.records.values()][0]).not.toHaveProperty('owner');
    expect(deps.events.published).toMatchObject([{ detail: { owner: null } }, { detail: { owner: null } }]);
  });

  it('the deploy parameter defaults to team and refuses what is not a tag key, naming the variable', () => {
    const base = { PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE: 'live' };
    expect(parseRecyclerConfig(base).tick.ownerTagKey).toBe('team');
    expect(parseTainterConfig({ PHOENIX_OWNER_TAG_KEY: 'cost-center' }).ownerTagKey).toBe('cost-center');
    for (const value of ['aws:team', '', 'x'.repeat(129), 'team\n']) {
      expect(() => parseRecyclerConfig({ ...base, PHOENIX_OWNER_TAG_KEY: value })).toThrow(
        `PHOENIX_OWNER_TAG_KEY=${JSON.stringify(value)}: expected a tag key`,
      );
    }
  });
});
