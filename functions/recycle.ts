import { randomInt } from 'node:crypto';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { CloudWatchAlarms } from './adapters/alarms.js';
import { clientConfig } from './adapters/aws-config.js';
import { EventBridgeEvents } from './adapters/events.js';
import { AwsFleet } from './adapters/fleet.js';
import { DynamoLedger } from './adapters/ledger.js';
import { parseRecyclerConfig, scheduledTime } from './app/config.js';
import { jsonLogger } from './app/logger.js';
import { runTick } from './app/tick.js';

// Cold start: configuration is parsed once (a bad deploy parameter stops the function here, by name)
// and the SDK clients are created once per container.
const config = parseRecyclerConfig(process.env);
const logger = jsonLogger((line) => process.stdout.write(`${line}\n`), { function: 'recycler' });
const aws = clientConfig();
const deps = {
  fleet: new AwsFleet({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
  ledger: new DynamoLedger({ client: DynamoDBDocumentClient.from(new DynamoDBClient(aws)), tableName: config.ledgerTable, clock: () => Date.now() }),
  events: new EventBridgeEvents({ client: new EventBridgeClient(aws), eventBusName: config.eventBusName }),
  alarms: new CloudWatchAlarms({ client: new CloudWatchClient(aws) }),
  settings: { globalMode: async () => config.mode },
  logger,
  // Chaos picks need real randomness in production; the simulator passes a seeded source instead.
  random: () => randomInt(2 ** 48) / 2 ** 48,
};

/** Parse the scheduled event → one tick (load, plan, act, record) → a summary for the invocation log. */
export const handler = middy(async (event: unknown) => {
  const now = scheduledTime(event);
  const result = await runTick(deps, config.tick, now);
  const summary = {
    at: new Date(result.at).toISOString(),
    mode: result.mode,
    blocked: result.block?.why ?? null,
    groups: result.decisions.length,
    terminated: result.outcomes.filter((outcome) => outcome.kind === 'terminated').length,
    failed: result.outcomes.filter((outcome) => outcome.kind === 'failed').length,
  };
  logger.info('tick done', summary);
  // A failed action is reported, never swallowed: the invocation fails so the error alarm fires.
  if (summary.failed > 0) throw new Error(`${summary.failed} action(s) failed in this tick; see the log lines before this one`);
  return summary;
});
