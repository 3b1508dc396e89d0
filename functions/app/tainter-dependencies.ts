import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { clientConfig } from '../adapters/aws-config.js';
import { EventBridgeEvents } from '../adapters/events.js';
import { AwsInstances } from '../adapters/instances.js';
import { functionLogger, loggerPort } from '../adapters/powertools-logger.js';
import type { TainterConfig } from './config.js';
import type { TaintDependencies } from './taint.js';
import type { TaintProbeDependencies } from './taint-probe.js';

/**
 * The tainter's ports: it reads instances and groups, writes one instance tag and publishes one event;
 * the self-test's taint probe uses the same instance reads and tag write.
 * Its Powertools logger goes to the handler too, which puts the Lambda context into it.
 */
export function tainterDependencies(config: TainterConfig): TaintDependencies & TaintProbeDependencies & { readonly powertoolsLogger: PowertoolsLogger } {
  const aws = clientConfig();
  const powertoolsLogger = functionLogger({ role: 'tainter', stage: config.stage });
  return {
    instances: new AwsInstances({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
    events: new EventBridgeEvents({ client: new EventBridgeClient(aws), eventBusName: config.eventBusName }),
    logger: loggerPort(powertoolsLogger),
    now: Date.now,
    ownerTagKey: config.ownerTagKey,
    powertoolsLogger,
  };
}
