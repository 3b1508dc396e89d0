import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { EventBridgeEvents } from '../../functions/adapters/events.js';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { SnsNotifier } from '../../functions/adapters/notifier.js';
import { S3ReportStore } from '../../functions/adapters/report-store.js';
import { buildWeeklyReport, deliverWeeklyReport } from '../../functions/app/weekly-report.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { awsClients, createGroup, launchTemplate } from '../support/aws-fixtures.js';
import { REPORT_TIME } from '../support/clock.js';
import { RecordingLogger } from '../support/fakes.js';
import { OPTED_IN, record } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();
/** Monday 16 November 2026 00:00 UTC: the start of 2026-W47. */
const W47 = Date.UTC(2026, 10, 16);

async function queue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl ?? '', arn: Attributes?.['QueueArn'] ?? '' };
}

async function bodies(sqs: SQSClient, url: string): Promise<unknown[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return Messages.map((message) => JSON.parse(message.Body ?? 'null') as unknown);
}

describe('the reporter against moto, with the unmodified SDK clients', () => {
  it('writes HTML and JSON to S3, publishes the summary to SNS and emits Weekly Report', async () => {
    const { endpoint } = moto();
    const config = { ...MOTO_CLIENT_CONFIG, endpoint };
    const dynamo = new DynamoDBClient(config);
    await dynamo.send(new CreateTableCommand(ledgerTableInput('ledger')));
    const ledger = new DynamoLedger({ client: dynamo, tableName: 'ledger', clock: () => REPORT_TIME });
    await ledger.begin(
      record({ id: 'web#1', group: 'web', startedAt: W47 + DAY, terminatedAt: W47 + DAY, phase: 'verified', closedAt: W47 + DAY + 9 * MINUTE }),
    );
    await ledger.recordTick({ at: W47 + 2 * DAY, blocked: undefined, skips: { web: 'outside-window' } });
    const clients = awsClients(endpoint);
    await createGroup(clients, {
      name: 'web',
      size: 2,
      templateId: await launchTemplate(clients),
      tags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
    });

    const s3 = new S3Client({ ...config, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'phoenix-reports', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const sqs = new SQSClient(config);
    const mail = await queue(sqs, 'mail');
    const sns = new SNSClient(config);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'phoenix-reports' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: mail.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const bus = await queue(sqs, 'bus');
    const eventBridge = new EventBridgeClient(config);
    await eventBridge.send(new PutRuleCommand({ Name: 'reports', EventPattern: JSON.stringify({ source: ['phoenix'], 'detail-type': ['Weekly Report'] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: 'reports', Targets: [{ Id: 'queue', Arn: bus.arn }] }));

    const report = await buildWeeklyReport({ ledger, fleet: new AwsFleet(clients) }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    await deliverWeeklyReport(
      {
        store: new S3ReportStore({ client: s3, bucket: 'phoenix-reports', region: 'eu-west-1' }),
        notifier: new SnsNotifier({ client: sns, topicArn: TopicArn ?? '' }),
        events: new EventBridgeEvents({ client: eventBridge }),
        logger: new RecordingLogger(),
      },
      report,
      REPORT_TIME,
    );

    const html = await s3.send(new GetObjectCommand({ Bucket: 'phoenix-reports', Key: 'weekly/2026/phoenix-2026-W47.html' }));
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect(await html.Body?.transformToString()).toContain('<svg');
    const json = await s3.send(new GetObjectCommand({ Bucket: 'phoenix-reports', Key: 'weekly/2026/phoenix-2026-W47.json' }));
    const stored = JSON.parse((await json.Body?.transformToString()) ?? '{}') as {
      week: string;
      fleet: { recycledTotal: number; skips: Record<string, number> };
    };
    expect(stored).toMatchObject({ week: '2026-W47', fleet: { recycledTotal: 1, skips: { 'outside-window': 1 } } });

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: mail.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(Messages).toHaveLength(1);
    expect(Messages[0]?.Body).toMatch(
      /^Full report: https:\/\/eu-west-1\.console\.aws\.amazon\.com\/s3\/object\/phoenix-reports\?region=eu-west-1&prefix=weekly%2F2026%2Fphoenix-2026-W47\.html\n/,
    );
    expect(await bodies(sqs, bus.url)).toMatchObject([
      {
        source: 'phoenix',
        'detail-type': 'Weekly Report',
        detail: { week: '2026-W47', recycled: 1, htmlUri: 's3://phoenix-reports/weekly/2026/phoenix-2026-W47.html' },
      },
    ]);
  }, 60_000);
});
