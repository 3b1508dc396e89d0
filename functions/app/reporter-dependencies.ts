import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig } from '../adapters/aws-config.js';
import { EventBridgeEvents } from '../adapters/events.js';
import { AwsFleetReader } from '../adapters/fleet-reader.js';
import { DynamoLedgerReader } from '../adapters/ledger-reader.js';
import { SnsNotifier } from '../adapters/notifier.js';
import { functionLogger, loggerPort } from '../adapters/powertools-logger.js';
import { S3ReportStore } from '../adapters/report-store.js';
import type { ReporterConfig } from './config.js';
import type { ReportDelivery, ReportSources } from './weekly-report.js';

/**
 * The reporter's ports: it reads the ledger and the fleet, and writes only reports, e-mail and one
 * event. A module of its own, so the recycler and verifier bundles (and roles) carry no S3 or SNS.
 * Its Powertools logger goes to the handler too, which puts the Lambda context into it.
 */
export function reporterDependencies(config: ReporterConfig): ReportSources & ReportDelivery & { readonly powertoolsLogger: PowertoolsLogger } {
  const aws = clientConfig();
  const powertoolsLogger = functionLogger({ role: 'reporter', stage: config.stage });
  return {
    ledger: new DynamoLedgerReader({ client: DynamoDBDocumentClient.from(new DynamoDBClient(aws)), tableName: config.ledgerTable, clock: () => Date.now() }),
    fleet: new AwsFleetReader({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
    store: new S3ReportStore({ client: new S3Client(aws), bucket: config.bucket, region: config.region }),
    notifier: new SnsNotifier({ client: new SNSClient(aws), topicArn: config.topicArn }),
    events: new EventBridgeEvents({ client: new EventBridgeClient(aws), eventBusName: config.eventBusName }),
    logger: loggerPort(powertoolsLogger),
    powertoolsLogger,
  };
}
