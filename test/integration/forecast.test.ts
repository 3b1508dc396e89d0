import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import type { Forecast } from '../../functions/cli/forecast.js';
import { DAY, HOUR } from '../../functions/core/model.js';
import { awsClients, createGroup, launchTemplate, tagInstance } from '../support/aws-fixtures.js';
import { type CliResult, cli as runCli } from '../support/cli.js';
import { OPTED_IN, record } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';
import { motoEnvironment } from '../support/processes.js';

const moto = useMoto();
const TABLE = 'phoenix-prod-LedgerTable-1FORECAST2';

/** One invocation in-process against this file's moto server, with no ledger table set from outside. */
function cli(...argv: string[]): Promise<CliResult> {
  return runCli(argv, { ...motoEnvironment(moto().endpoint), PHOENIX_LEDGER_TABLE: undefined }, Date.now());
}

describe('phoenix forecast against moto', () => {
  it('forecasts the real fleet from its instances and the ledger, by real instance ids, and changes nothing', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    const [exempt, other] = await createGroup(clients, { name: 'web', size: 2, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1d' } });
    await tagInstance(clients, exempt as string, { 'phoenix:exempt': 'true' });
    await createGroup(clients, { name: 'api', size: 1, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1d', 'phoenix:budget': '1/week' } });
    const dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
    await dynamo.send(new CreateTableCommand(ledgerTableInput(TABLE)));
    const ledger = new DynamoLedger({ client: dynamo, tableName: TABLE, clock: () => Date.now() });
    // api spent its weekly budget yesterday: the forecast must not recycle it again this week.
    const spent = Date.now() - DAY;
    await ledger.begin(record({ id: 'api#1', group: 'api', instanceId: 'i-gone', startedAt: spent, terminatedAt: spent + HOUR, closedAt: spent + HOUR }));

    const result = await cli('forecast', '--days', '3', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^ledger: ${TABLE} \\(`));
    const forecast = JSON.parse(result.stdout) as Forecast;
    expect(forecast).toMatchObject({ days: 3, groups: 2, instances: 3, wouldRecycle: 0 });
    expect(forecast.assumes).toMatch(/no failures.*no scaling/);
    expect(forecast.firstPerGroup['web']?.[0]).toMatchObject({ group: 'web', instanceId: other, reason: 'max-age' });
    expect(forecast.firstPerGroup['web']?.map((one) => one.instanceId)).not.toContain(exempt);
    expect(forecast.firstPerGroup['api']).toBeUndefined();
    expect(forecast.breaches.map((breach) => breach.group)).toEqual(['api']);
    expect(forecast.ageDebtHours).toBeGreaterThan(0);
    expect(forecast.perDay).toHaveLength(3);
    expect(forecast.replacements).toBe(forecast.perDay.reduce((sum, day) => sum + day.recycled['max-age'], 0));

    const groups = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web', 'api'] }));
    expect(groups.AutoScalingGroups?.map((group) => [group.AutoScalingGroupName, group.DesiredCapacity, group.Instances?.length])).toEqual([
      ['web', 2, 2],
      ['api', 1, 1],
    ]);
  });

  it('stops at a named ledger that is missing; without a stack it goes on without budgets and prints what it assumes', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    const [id] = await createGroup(clients, { name: 'web', size: 1, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1d' } });
    const result = await cli('forecast', '--days', '2', '--table', 'absent');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('ledger table absent not found');
    const noLedger = await cli('forecast', '--days', '2');
    expect(noLedger.code, noLedger.stderr).toBe(0);
    expect(noLedger.stderr).toMatch(/^ledger: none: /);
    expect(noLedger.stdout).toContain('assumes no failures');
    expect(noLedger.stdout).toContain('Max-age: holds in every group');
    expect(noLedger.stdout).toMatch(new RegExp(`UTC  ${id}  max-age`));
  });
});
