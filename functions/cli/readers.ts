import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientOptions, clientConfig } from '../adapters/aws-config.js';
import { AwsFleetReader } from '../adapters/fleet-reader.js';
import { LaunchImages } from '../adapters/launch-images.js';
import { DynamoLedgerReader } from '../adapters/ledger-reader.js';
import type { Millis } from '../core/model.js';

/*
 * The deployed fleet and ledger for the commands that only look (plan, report, history): Describe
 * calls, Queries and ListTables, no adapter with a method that changes anything.
 */

export function fleetReader(aws: ClientOptions): AwsFleetReader {
  const config = clientConfig(aws);
  const ec2 = new EC2Client(config);
  // A plan shows the AMI each group launches, new versions' too, as the tick sees them.
  return new AwsFleetReader({ autoScaling: new AutoScalingClient(config), ec2, images: new LaunchImages(ec2) });
}

/** `now` bounds the ledger's day buckets. */
export function ledgerReader(options: { readonly aws: ClientOptions; readonly table: string; readonly now: Millis }): DynamoLedgerReader {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(options.aws)));
  return new DynamoLedgerReader({ client, tableName: options.table, clock: () => options.now });
}

/** Every DynamoDB table name in the region, to find a deployed stack's ledger by its name. */
export async function listTableNames(aws: ClientOptions): Promise<string[]> {
  const client = new DynamoDBClient(clientConfig(aws));
  const names: string[] = [];
  for await (const page of paginateListTables({ client }, {})) names.push(...(page.TableNames ?? []));
  return names;
}
