import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { EventPublishError } from '../../functions/adapters/errors.js';
import { EventBridgeEvents, MAX_REQUEST_BYTES } from '../../functions/adapters/events.js';
import type { PhoenixEvent } from '../../functions/core/events.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();
/** moto takes about 0.2 s to deliver each event to SQS; a loaded machine must not time out. */
const SLOW = 30_000;

/** The envelope EventBridge delivers to a target. */
interface Delivered {
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: unknown;
}

interface Subscription {
  readonly client: EventBridgeClient;
  /** Everything the queue holds, read until it has nothing more to give. */
  readonly received: () => Promise<Delivered[]>;
}

/** A rule on the default bus forwarding every `phoenix` event to a fresh queue, as a subscriber would set it up. */
async function subscribe(): Promise<Subscription> {
  const { endpoint } = moto();
  const client = new EventBridgeClient({ ...MOTO_CLIENT_CONFIG, endpoint });
  const sqs = new SQSClient({ ...MOTO_CLIENT_CONFIG, endpoint });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'phoenix-events' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await client.send(new PutRuleCommand({ Name: 'phoenix-to-queue', EventBusName: 'default', EventPattern: JSON.stringify({ source: ['phoenix'] }) }));
  await client.send(new PutTargetsCommand({ Rule: 'phoenix-to-queue', EventBusName: 'default', Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }));
  const received = async (): Promise<Delivered[]> => {
    const delivered: Delivered[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return delivered;
      delivered.push(...Messages.map((message) => JSON.parse(message.Body ?? '{}') as Delivered));
    }
  };
  return { client, received };
}

function recycled(index: number): PhoenixEvent {
  return {
    detailType: 'Instance Recycled',
    time: `2025-03-04T05:06:${String(index).padStart(2, '0')}Z`,
    detail: {
      group: 'web',
      instanceId: `i-${index}`,
      reason: 'max-age',
      instanceAgeSeconds: 86_400 + index,
      recordId: `r-${index}`,
      launchedBeforeTerminate: true,
      owner: 'team-web',
    },
  };
}

const oneOfEach: PhoenixEvent[] = [
  recycled(0),
  {
    detailType: 'Recovery Verified',
    time: '2025-03-04T05:16:00Z',
    detail: { group: 'web', instanceId: 'i-0', recordId: 'r-0', recoverySeconds: 540, owner: 'team-web' },
  },
  {
    detailType: 'Recovery Failed',
    time: '2025-03-04T05:26:00Z',
    detail: { group: 'api', instanceId: 'i-9', recordId: 'r-9', reason: 'recovery timed out after 20m', owner: null },
  },
  {
    detailType: 'Group Quarantined',
    time: '2025-03-04T05:27:00Z',
    detail: { group: 'api', reason: '3 failed recoveries in 24h', since: '2025-03-04T05:27:00Z', owner: null },
  },
];

/** What a subscriber should see for an event, in an order that does not depend on delivery. */
function seen(events: readonly { source: string; detailType: string; time: number; detail: unknown }[]): string[] {
  return events.map((event) => JSON.stringify(event)).sort();
}

describe('EventBridgeEvents against moto', () => {
  it.each([
    { case: 'one event of each type', events: oneOfEach },
    // moto takes about 0.2 s to deliver each event to SQS, so two calls' worth keeps this quick.
    { case: 'twelve events over two calls', events: Array.from({ length: 12 }, (_, index) => recycled(index)) },
  ])(
    '$case reach a queue subscribed to source phoenix',
    async ({ events }) => {
      const { client, received } = await subscribe();
      await new EventBridgeEvents({ client }).publish(events);
      const delivered = await received();
      expect(
        seen(delivered.map((event) => ({ source: event.source, detailType: event['detail-type'], time: Date.parse(event.time), detail: event.detail }))),
      ).toEqual(seen(events.map((event) => ({ source: 'phoenix', detailType: event.detailType, time: Date.parse(event.time), detail: event.detail }))));
    },
    SLOW,
  );

  it(
    'an oversized event is refused and the rest still arrive',
    async () => {
      const { client, received } = await subscribe();
      const huge: PhoenixEvent = {
        detailType: 'Recovery Failed',
        time: '2025-03-04T05:26:00Z',
        detail: { group: 'api', instanceId: 'i-9', recordId: 'r-9', reason: 'x'.repeat(MAX_REQUEST_BYTES), owner: null },
      };
      const error: unknown = await new EventBridgeEvents({ client }).publish([recycled(1), huge, recycled(2)]).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(EventPublishError);
      expect((error as EventPublishError).failed.map((failed) => failed.errorCode)).toEqual(['EntryTooLarge']);
      expect(seen((await received()).map((event) => ({ source: event.source, detailType: event['detail-type'], time: 0, detail: event.detail })))).toEqual(
        seen([recycled(1), recycled(2)].map((event) => ({ source: 'phoenix', detailType: event.detailType, time: 0, detail: event.detail }))),
      );
    },
    SLOW,
  );

  it(
    'events sent to another bus do not reach the default-bus rule',
    async () => {
      const { client, received } = await subscribe();
      await client.send(new CreateEventBusCommand({ Name: 'other' }));
      await new EventBridgeEvents({ client, eventBusName: 'other' }).publish(oneOfEach);
      expect(await received()).toEqual([]);
    },
    SLOW,
  );
});
