import { DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import type { TickSettings } from '../../functions/app/tick.js';
import { runTick } from '../../functions/app/tick.js';
import type { Millis } from '../../functions/core/model.js';
import { HOUR, MINUTE } from '../../functions/core/model.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { SimAlarms } from '../../sim/sim-alarms.js';
import { SimSettings } from '../../sim/sim-settings.js';
import type { AwsTestClients } from '../support/aws-fixtures.js';
import { awsClients, createGroup, instanceIds, launchTemplate } from '../support/aws-fixtures.js';
import { RecordingLogger } from '../support/fakes.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();
const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 10 };
const TABLE = 'phoenix-ledger';
/** A fixed-size group: desired 2 is its max, and it lets Phoenix raise max by one for a surge. */
const FIXED_TAGS = { 'phoenix:enabled': 'true', 'phoenix:max-age': '1h', 'phoenix:max-surge': '1' } as const;

let clients: AwsTestClients;
let ledger: DynamoLedger;

beforeEach(async () => {
  clients = awsClients(moto().endpoint);
  const dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
  await dynamo.send(new CreateTableCommand(ledgerTableInput(TABLE)));
  ledger = new DynamoLedger({ client: dynamo, tableName: TABLE, clock: () => Date.now() });
});

function deps() {
  return {
    fleet: new AwsFleet(clients),
    ledger,
    events: new MemoryEvents(),
    alarms: new SimAlarms(),
    settings: new SimSettings('live'),
    logger: new RecordingLogger(),
    chaosSeed: 1,
  };
}

async function sizes(name: string): Promise<{ desired: number | undefined; max: number | undefined }> {
  const described = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  const group = described.AutoScalingGroups?.[0];
  return { desired: group?.DesiredCapacity, max: group?.MaxSize };
}

/** Runs the first two ticks of a replacement: the surge (max and desired raised), then the old instance's termination. */
async function surgeAndTerminate(run: ReturnType<typeof deps>, now: Millis): Promise<void> {
  await runTick(run, settings, now);
  expect(await sizes('fixed')).toEqual({ desired: 3, max: 3 });
  const [open] = (await ledger.openRecords()).records;
  expect(open).toMatchObject({ phase: 'surging', surge: { fromDesired: 2, toDesired: 3 }, maxRaise: { fromMax: 2, toMax: 3 } });
  const second = await runTick(run, settings, now + 10 * MINUTE);
  expect(second.outcomes).toMatchObject([{ kind: 'terminated' }]);
  expect(await sizes('fixed')).toEqual({ desired: 2, max: 3 });
}

describe('max-surge against moto', () => {
  it('raises MaxSize with desired for the surge, records the max to restore first, and restores it exactly when the replacement closes', async () => {
    const templateId = await launchTemplate(clients);
    const original = await createGroup(clients, { name: 'fixed', size: 2, max: 2, templateId, tags: FIXED_TAGS });
    const run = deps();
    const now = Date.now() + 2 * HOUR;
    await surgeAndTerminate(run, now);
    const verify = await runTick(run, settings, now + 20 * MINUTE, { kind: 'verify', groups: ['fixed'] });
    expect(verify.outcomes).toMatchObject([{ kind: 'closed', record: { phase: 'verified', maxRaise: { fromMax: 2, toMax: 3 } } }]);
    expect(await sizes('fixed')).toEqual({ desired: 2, max: 2 });
    expect((await ledger.openRecords()).records).toEqual([]);
    const remaining = await instanceIds(clients, 'fixed');
    expect(remaining).toHaveLength(2);
    expect(original.filter((id) => remaining.includes(id))).toHaveLength(1);
  }, 60_000);

  it('a MaxSize its owner changed during the replacement is left alone and reported', async () => {
    const templateId = await launchTemplate(clients);
    await createGroup(clients, { name: 'fixed', size: 2, max: 2, templateId, tags: FIXED_TAGS });
    const run = deps();
    const now = Date.now() + 2 * HOUR;
    await surgeAndTerminate(run, now);
    await clients.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'fixed', MaxSize: 6 }));
    await runTick(run, settings, now + 20 * MINUTE, { kind: 'verify', groups: ['fixed'] });
    expect(await sizes('fixed')).toEqual({ desired: 2, max: 6 });
    expect(run.events.all().map((event) => event.detailType)).toEqual(['Instance Recycled', 'Recovery Verified', 'Max Size Left Raised']);
    expect(run.events.all().at(-1)?.detail).toMatchObject({ group: 'fixed', maxSize: 6, maxSizeBeforeSurge: 2 });
  }, 60_000);

  it('the conditional ledger write holds: of two runs closing one raised-max replacement, one closes it', async () => {
    const templateId = await launchTemplate(clients);
    await createGroup(clients, { name: 'fixed', size: 2, max: 2, templateId, tags: FIXED_TAGS });
    const now = Date.now() + 2 * HOUR;
    await surgeAndTerminate(deps(), now);
    const [first, second] = await Promise.all([
      runTick(deps(), settings, now + 20 * MINUTE, { kind: 'verify', groups: ['fixed'] }),
      runTick(deps(), settings, now + 20 * MINUTE, { kind: 'verify', groups: ['fixed'] }),
    ]);
    const closes = [...first.outcomes, ...second.outcomes].filter((outcome) => outcome.kind === 'closed');
    expect(closes).toHaveLength(1);
    expect(await sizes('fixed')).toEqual({ desired: 2, max: 2 });
  }, 60_000);
});
