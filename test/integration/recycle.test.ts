import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { runTick } from '../../functions/app/tick.js';
import { MINUTE } from '../../functions/core/model.js';
import { parseRequest } from '../../functions/core/policy/request.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { MemoryLedger } from '../../sim/memory-ledger.js';
import type { AwsTestClients } from '../support/aws-fixtures.js';
import { awsClients, createGroup, instanceIds, launchTemplate, protect, tagInstance } from '../support/aws-fixtures.js';
import { type CliResult, cli as runCli } from '../support/cli.js';
import { FakeAlarms, FakeSettings, RecordingLogger } from '../support/fakes.js';
import { OPTED_IN } from '../support/fleet.js';
import { useMoto } from '../support/moto.js';
import { motoEnvironment } from '../support/processes.js';

const moto = useMoto();

function cli(...argv: string[]): Promise<CliResult> {
  return runCli(argv, { ...motoEnvironment(moto().endpoint), PHOENIX_LEDGER_TABLE: undefined }, Date.now());
}

async function requestTag(clients: AwsTestClients, instanceId: string): Promise<string | undefined> {
  const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return described.Reservations?.[0]?.Instances?.[0]?.Tags?.find((tag) => tag.Key === 'phoenix:recycle-requested')?.Value;
}

describe('phoenix recycle against moto', () => {
  it('marks the named instance, prints what it marked, and the next tick replaces it first', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    // No max-age and no chaos: nothing but the request can make this tick act.
    const ids = await createGroup(clients, { name: 'web', size: 3, templateId, tags: { ...OPTED_IN, 'phoenix:min-healthy': '60' } });
    const chosen = ids[2] as string;
    const result = await cli('recycle', 'web', '--instance', chosen, '--json');
    expect(result.code, result.stderr).toBe(0);
    const mark = JSON.parse(result.stdout) as { group: string; instanceId: string; tag: string; value: string; at: string; by: string };
    expect(mark).toMatchObject({ group: 'web', instanceId: chosen, tag: 'phoenix:recycle-requested' });
    const stored = await requestTag(clients, chosen);
    expect(stored).toBe(mark.value);
    expect(parseRequest(stored ?? '')).toEqual({ at: Date.parse(mark.at), by: mark.by });
    // The caller as STS names them (moto's default identity), not a local user name.
    expect(mark.by).toMatch(/^arn:aws:(iam|sts)::\d{12}:/);

    const deps = {
      fleet: new AwsFleet(clients),
      ledger: new MemoryLedger(),
      events: new MemoryEvents(),
      alarms: new FakeAlarms(),
      settings: new FakeSettings('live'),
      logger: new RecordingLogger(),
      chaosSeed: 1,
    };
    const tick = await runTick(deps, { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 10 }, Date.now() + MINUTE);
    expect(tick.decisions).toMatchObject([{ kind: 'start', instanceId: chosen, reason: 'requested', method: 'terminate' }]);
    expect(tick.outcomes).toMatchObject([{ kind: 'terminated', record: { instanceId: chosen, reason: 'requested' } }]);
    expect(await instanceIds(clients, 'web')).not.toContain(chosen);
  }, 60_000);

  it('without --instance marks the oldest instance Phoenix may pick, and says so', async () => {
    const clients = awsClients(moto().endpoint);
    const ids = await createGroup(clients, { name: 'api', size: 2, templateId: await launchTemplate(clients), tags: { ...OPTED_IN } });
    await tagInstance(clients, ids[0] as string, { 'phoenix:exempt': 'true' });
    const result = await cli('recycle', 'api');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^marked ${ids[1]} of api \\(phoenix:recycle-requested=at=`));
    expect(await requestTag(clients, ids[1] as string)).toBeDefined();
    expect(await requestTag(clients, ids[0] as string)).toBeUndefined();
  }, 60_000);

  it('refuses, with exit code 2 and the input named, what it must not mark; marks nothing', async () => {
    const clients = awsClients(moto().endpoint);
    const templateId = await launchTemplate(clients);
    const ids = await createGroup(clients, { name: 'svc', size: 2, templateId, tags: { ...OPTED_IN } });
    await createGroup(clients, { name: 'outside', size: 1, templateId, tags: { 'phoenix:enabled': 'false' } });
    await tagInstance(clients, ids[0] as string, { 'phoenix:exempt': 'true' });
    await protect(clients, 'svc', ids[1] as string);
    const cases = [
      { argv: ['recycle', 'nowhere'], says: 'GROUP: no Auto Scaling group named "nowhere"' },
      { argv: ['recycle', 'outside'], says: 'GROUP: "outside" is not opted in to recycling (phoenix:enabled="false")' },
      { argv: ['recycle', 'svc', '--instance', 'i-00000000000000000'], says: '--instance: "i-00000000000000000" is not an instance of svc' },
      { argv: ['recycle', 'svc', '--instance', ids[0] as string], says: `--instance: ${ids[0]} is exempt (phoenix:exempt)` },
      { argv: ['recycle', 'svc', '--instance', ids[1] as string], says: `--instance: ${ids[1]} is protected from scale-in` },
      { argv: ['recycle', 'svc'], says: 'GROUP: svc has no instance Phoenix may pick' },
      { argv: ['recycle'], says: 'phoenix recycle: GROUP is missing' },
    ];
    for (const { argv, says } of cases) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain(says);
    }
    for (const id of ids) expect(await requestTag(clients, id)).toBeUndefined();
  }, 60_000);
});
