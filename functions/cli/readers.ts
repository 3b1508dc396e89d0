import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientOptions, clientConfig } from '../adapters/aws-config.js';
import { AwsFleetReader } from '../adapters/fleet-reader.js';
import { DynamoLedgerReader } from '../adapters/ledger-reader.js';
import type { Millis } from '../core/model.js';

export interface Readers {
  readonly fleet: AwsFleetReader;
  readonly ledger: DynamoLedgerReader;
}

/**
 * The deployed fleet and ledger for the commands that only look (plan, report): Describe calls and
 * Queries, no adapter with a method that changes anything. `now` bounds the ledger's day buckets.
 */
export function awsReaders(options: { readonly aws: ClientOptions; readonly table: string; readonly now: Millis }): Readers {
  const aws = clientConfig(options.aws);
  return {
    fleet: new AwsFleetReader({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
    ledger: new DynamoLedgerReader({ client: DynamoDBDocumentClient.from(new DynamoDBClient(aws)), tableName: options.table, clock: () => options.now }),
  };
}
