import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { clientConfig } from './adapters/aws-config.js';
import { EventBridgeEvents } from './adapters/events.js';
import { AwsInstances } from './adapters/instances.js';
import { jsonLogger } from './app/logger.js';
import type { TaintDependencies } from './app/taint.js';
import { handleTouch } from './app/taint.js';

// Cold start: clients made once. The tainter reads no mode or ledger: a tag terminates nothing, so a
// touch is recorded whatever the global mode, and the recycler decides later under its own gates.
const aws = clientConfig();
const deps: TaintDependencies = {
  instances: new AwsInstances({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
  events: new EventBridgeEvents({ client: new EventBridgeClient(aws), eventBusName: process.env['PHOENIX_EVENT_BUS']?.trim() || 'default' }),
  logger: jsonLogger((line) => process.stdout.write(`${line}\n`), { function: 'tainter' }),
  now: Date.now,
};

/** A CloudTrail Session Manager, Run Command or EC2 Instance Connect call → tag the touched instances of opted-in groups. */
export const handler = middy(async (event: unknown) => handleTouch(deps, event));
