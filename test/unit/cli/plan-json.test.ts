import { describe, expect, it } from 'vitest';
import { planReport } from '../../../functions/cli/plan.js';
import { DAY } from '../../../functions/core/model.js';
import { group, instance, NOW, OPTED_IN } from '../../support/fleet.js';

const TEMPLATE = { kind: 'template', id: 'lt-0abc', version: '3', name: 'web-template' } as const;

async function plan(...groups: ReturnType<typeof group>[]) {
  const sources = { fleet: { listOptedInGroups: async () => groups }, ledger: undefined };
  const report = await planReport(sources, { at: NOW, atChosen: false, table: undefined, tickMinutes: 10 }, () => undefined);
  return new Map(report.groups.map((entry) => [entry.group, entry]));
}

describe('phoenix plan --json', () => {
  it('gives each group its action and instance as fields, keeps the words, and names launch templates', async () => {
    const instances = [1, 2, 3, 4].map((age) => instance({ id: `i-${age}`, launchedAt: NOW - age * DAY, launchSource: TEMPLATE }));
    const groups = await plan(
      group({ name: 'surge', instances, launchSource: TEMPLATE, tags: { ...OPTED_IN, 'phoenix:max-age': '2d', 'phoenix:min-healthy': '100' } }),
      group({ name: 'plain', tags: { ...OPTED_IN, 'phoenix:max-age': '2d', 'phoenix:min-healthy': '50' } }),
      group({ name: 'dry', tags: { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '2d' } }),
      group({ name: 'calm', tags: { ...OPTED_IN, 'phoenix:max-age': '30d' } }),
    );
    expect(groups.get('surge')).toMatchObject({
      action: 'launch-then-terminate',
      instanceId: 'i-4',
      decision: 'launch-then-terminate i-4',
      reason: 'max-age',
      launchSource: { kind: 'template', id: 'lt-0abc', name: 'web-template', version: '3', imageId: null },
    });
    expect(groups.get('surge')?.instances.find((entry) => entry.id === 'i-4')).toMatchObject({
      candidate: 'max-age',
      launchSource: { kind: 'template', id: 'lt-0abc', name: 'web-template', version: '3', imageId: null },
    });
    expect(groups.get('plain')).toMatchObject({ action: 'terminate', instanceId: 'i-1', decision: 'terminate i-1' });
    expect(groups.get('plain')?.launchSource).toEqual({ kind: 'template', id: 'lt-1', name: null, version: '1', imageId: null });
    expect(groups.get('dry')).toMatchObject({ action: 'would-recycle', instanceId: 'i-1', decision: 'would-recycle (dry-run) i-1' });
    expect(groups.get('calm')).toMatchObject({ action: 'skip', instanceId: null, decision: 'skip', reason: 'no-candidate' });
  });

  it('names the rule of every picked instance, never null', async () => {
    const groups = await plan(group({ name: 'web', tags: { ...OPTED_IN, 'phoenix:max-age': '2d' } }));
    const web = groups.get('web');
    expect(web?.instances.find((entry) => entry.id === web.instanceId)?.candidate).toBe('max-age');
  });
});
