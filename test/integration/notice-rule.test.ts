import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { EventBridgeEvents } from '../../functions/adapters/events.js';
import { runTick } from '../../functions/app/tick.js';
import type { Group } from '../../functions/core/model.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { FakeAlarms, FakeFleet, FakeLedger, FakeSettings, RecordingLogger } from '../support/fakes.js';
import { group, instance, NOW, withTags } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();

/** The example rule's event pattern and CloudFormation, as docs/operations.md shows them. */
function documentedRule(): { readonly pattern: unknown; readonly yaml: string } {
  const text = readFileSync('docs/operations.md', 'utf8');
  const section = text.slice(text.indexOf('**Example: notices of one team'));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (json === undefined || yaml === undefined) throw new Error('docs/operations.md has no notice rule example');
  return { pattern: JSON.parse(json), yaml };
}

/** i-1 is past max-age 7d and goes now (min-healthy 75); i-2 reaches it in an hour: the tick announces it. */
function teamGroup(name: string): Group {
  const base = group({ name, size: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `${name}-i-${n}`, launchedAt: NOW - (9 - n) * DAY })) });
  return withTags(base, { 'phoenix:min-healthy': '75' });
}

describe('the documented Slack notice rule', () => {
  it('the CloudFormation example carries the same pattern', () => {
    const { pattern, yaml } = documentedRule();
    expect(yaml).toContain(`EventPattern: ${JSON.stringify(pattern)}`);
  });

  it('routes the notice a tick publishes for a team-a- group, and nothing else, to its target', async () => {
    const { pattern } = documentedRule();
    const events = new MemoryEvents();
    const deps = {
      fleet: new FakeFleet([teamGroup('team-a-web'), teamGroup('team-b-api')]),
      ledger: new FakeLedger(),
      events,
      alarms: new FakeAlarms(),
      settings: new FakeSettings(),
      logger: new RecordingLogger(),
      chaosSeed: 1,
    };
    await runTick(deps, { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 5 }, NOW);
    expect(events.all().map((event) => [event.detailType, event.detail['group']])).toEqual([
      ['Instance Recycled', 'team-a-web'],
      ['Instance Recycled', 'team-b-api'],
      ['Recycle Scheduled', 'team-a-web'],
      ['Recycle Scheduled', 'team-b-api'],
    ]);

    const { endpoint } = moto();
    const client = new EventBridgeClient({ ...MOTO_CLIENT_CONFIG, endpoint });
    const sqs = new SQSClient({ ...MOTO_CLIENT_CONFIG, endpoint });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'team-a-notices' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await client.send(new PutRuleCommand({ Name: 'team-a-notices', EventBusName: 'default', EventPattern: JSON.stringify(pattern) }));
    await client.send(new PutTargetsCommand({ Rule: 'team-a-notices', EventBusName: 'default', Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }));
    await new EventBridgeEvents({ client }).publish(events.all());

    const delivered: unknown[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) break;
      delivered.push(...Messages.map((message) => JSON.parse(message.Body ?? '{}') as unknown));
    }
    expect(delivered).toMatchObject([
      {
        source: 'phoenix',
        'detail-type': 'Recycle Scheduled',
        detail: { group: 'team-a-web', instanceId: 'team-a-web-i-2', rule: 'max-age', earliestAt: new Date(NOW + 60 * MINUTE).toISOString() },
      },
    ]);
  }, 60_000);
});
