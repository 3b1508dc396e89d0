import { CreateOrUpdateTagsCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { isoWeekBounds } from '../../functions/core/report/iso-week.js';
import { awsClients, createGroup, launchTemplate, tagInstance } from '../support/aws-fixtures.js';
import { type CliResult, cli as runCli } from '../support/cli.js';
import { OPTED_IN, record } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';
import { motoEnvironment } from '../support/processes.js';

const moto = useMoto();

/** One invocation in-process against this file's moto server, with no ledger table set from outside. */
function cli(...argv: string[]): Promise<CliResult> {
  return runCli(argv, { ...motoEnvironment(moto().endpoint), PHOENIX_LEDGER_TABLE: undefined }, Date.now());
}

describe('phoenix against moto', () => {
  it('plan --json explains every opted-in group and instance, and says when there is no ledger', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    const [first] = await createGroup(clients, { name: 'web', size: 2, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '7d' } });
    await tagInstance(clients, first as string, { 'phoenix:exempt': 'true' });
    await createGroup(clients, { name: 'broken', size: 1, templateId, tags: { ...OPTED_IN, 'phoenix:budget': '2/fortnight' } });
    const result = await cli('plan', '--json', '--table', 'absent');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('ledger table absent not found');
    const report = JSON.parse(result.stdout) as {
      ledger: string;
      groups: {
        group: string;
        action: string;
        instanceId: string | null;
        reason: string;
        why: string;
        instances: { id: string; note: string }[];
        deadline: { nextRecycles: { instanceId: string }[] } | null;
      }[];
    };
    expect(report.ledger).toBe('missing');
    const byName = new Map(report.groups.map((group) => [group.group, group]));
    expect(byName.get('web')).toMatchObject({
      action: 'skip',
      instanceId: null,
      reason: 'no-candidate',
      launchSource: { kind: 'template', id: templateId, name: 'web', version: '1' },
    });
    expect(byName.get('web')?.instances.find((instance) => instance.id === first)?.note).toContain('never picked: phoenix:exempt');
    expect(byName.get('broken')).toMatchObject({ reason: 'bad-tags', why: expect.stringContaining('phoenix:budget="2/fortnight"') });
    // The exempt instance is never picked: only the other one is planned, a slot before it reaches max-age.
    expect(byName.get('web')).toMatchObject({ deadline: { feasible: true, firstBreachAt: null, ageDebtHours14d: 0, nextRecycles: [{ rule: 'max-age' }] } });
    expect(byName.get('web')?.deadline?.nextRecycles[0]?.instanceId).not.toBe(first);
    expect(byName.get('broken')?.deadline).toBeNull();
  }, 60_000);

  it('release lifts a quarantine and says what it was; a second release changes nothing', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    await createGroup(clients, { name: 'web', size: 1, templateId, tags: { ...OPTED_IN } });
    await clients.autoScaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'phoenix:quarantined', Value: 'recovery failed', PropagateAtLaunch: false }],
      }),
    );
    const first = await cli('release', 'web', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ group: 'web', released: true, reason: 'recovery failed' });
    const tags = (await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]?.Tags ?? [];
    expect(tags.map((tag) => tag.Key)).not.toContain('phoenix:quarantined');
    const again = await cli('release', 'web');
    expect(again.stdout).toBe('web was not quarantined; nothing changed');
  }, 60_000);

  it('report renders a past week from the ledger, with its skipped ticks; a missing table is named', async () => {
    const { endpoint } = moto();
    const dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint });
    await dynamo.send(new CreateTableCommand(ledgerTableInput('ledger')));
    const ledger = new DynamoLedger({ client: dynamo, tableName: 'ledger', clock: () => Date.now() });
    const monday = isoWeekBounds('2026-W47', 'UTC').start;
    await ledger.begin(
      record({ id: 'web#1', group: 'web', startedAt: monday + DAY, terminatedAt: monday + DAY, phase: 'verified', closedAt: monday + DAY + 8 * MINUTE }),
    );
    await ledger.recordTick({ at: monday + 2 * DAY, blocked: undefined, skips: { web: 'budget-spent' } });
    const clients = awsClients(endpoint);
    await createGroup(clients, {
      name: 'web',
      size: 1,
      templateId: await launchTemplate(clients),
      tags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
    });

    const json = await cli('report', '--week', '2026-W47', '--format', 'json', '--table', 'ledger');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      week: '2026-W47',
      fleet: { recycledTotal: 1, recovery: { verified: 1, maxSeconds: 480 }, skips: { 'budget-spent': 1 } },
    });
    const markdown = await cli('report', '--week', '2026-W47', '--table', 'ledger');
    expect(markdown.stdout).toContain('2026-W47');
    const missing = await cli('report', '--week', '2026-W47', '--table', 'absent');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ledger table absent not found');
  }, 60_000);

  it('tag enrols the groups matching a glob in dry-run only with --apply, as group tags', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    for (const name of ['team-a-web', 'team-a-api', 'team-b-web']) await createGroup(clients, { name, size: 1, templateId, tags: {} });
    const enabled = async () => {
      const described = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
      return Object.fromEntries(
        (described.AutoScalingGroups ?? []).map((group) => [group.AutoScalingGroupName, group.Tags?.find((tag) => tag.Key === 'phoenix:enabled')]),
      );
    };
    const preview = await cli('tag', 'team-a-*', '--set', 'phoenix:enabled=dry-run');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout.split('\n')[0]).toBe('phoenix tag team-a-*: 2 groups match; 2 would change, 0 already as asked');
    expect(Object.values(await enabled()).every((tag) => tag === undefined)).toBe(true);

    const applied = await cli('tag', 'team-a-*', '--set', 'phoenix:enabled=dry-run', '--apply');
    expect(applied.code, applied.stderr).toBe(0);
    const after = await enabled();
    expect(after['team-a-web']).toMatchObject({ Value: 'dry-run', PropagateAtLaunch: false });
    expect(after['team-a-api']).toMatchObject({ Value: 'dry-run', PropagateAtLaunch: false });
    expect(after['team-b-web']).toBeUndefined();
  }, 60_000);

  it.each([
    { case: 'a group that does not exist', argv: ['release', 'ghost'], says: 'no Auto Scaling group named "ghost"' },
    { case: 'no group named', argv: ['release'], says: 'nothing to release' },
  ])(
    'release of $case exits 2',
    async ({ argv, says }) => {
      const result = await cli(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(says);
    },
    60_000,
  );
});
