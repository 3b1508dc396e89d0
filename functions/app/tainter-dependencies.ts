import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { clientConfig } from '../adapters/aws-config.js';
import { EventBridgeEvents } from '../adapters/events.js';
import { AwsInstances } from '../adapters/instances.js';
import type { TainterConfig } from './config.js';
import { functionLogger } from './logger.js';
import type { TaintDependencies } from './taint.js';

/** The tainter's ports: it reads instances and groups, writes one instance tag and publishes one event. */
export function tainterDependencies(config: TainterConfig): TaintDependencies {
  const aws = clientConfig();
  return {
    instances: new AwsInstances({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
    events: new EventBridgeEvents({ client: new EventBridgeClient(aws), eventBusName: config.eventBusName }),
    logger: functionLogger('tainter'),
    now: Date.now,
  };
}
