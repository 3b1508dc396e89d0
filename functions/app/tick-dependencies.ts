import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudWatchAlarms } from '../adapters/alarms.js';
import { clientConfig } from '../adapters/aws-config.js';
import { EventBridgeEvents } from '../adapters/events.js';
import { AwsFleet } from '../adapters/fleet.js';
import { DynamoLedger } from '../adapters/ledger.js';
import { SsmSettings } from '../adapters/settings.js';
import type { SettingsPort } from '../core/ports.js';
import type { FunctionName } from './account-settings.js';
import type { ModeSource, RecyclerConfig } from './config.js';
import { functionLogger } from './logger.js';
import type { TickDependencies, TickResult } from './tick.js';

/** A mode switch reaches every function within this time, without an SSM read per invocation. */
const MODE_CACHE = 10_000;

function settingsFor(source: ModeSource, aws: ReturnType<typeof clientConfig>): SettingsPort {
  if (source.kind === 'parameter') {
    return new SsmSettings({ client: new SSMClient(aws), parameterName: source.name, clock: () => Date.now(), cacheFor: MODE_CACHE });
  }
  const mode = source.mode;
  return { globalMode: async () => mode };
}

/** The recycler's or the verifier's ports over the real AWS clients, created once per Lambda container. */
export function tickDependencies(config: RecyclerConfig, functionName: Extract<FunctionName, 'recycler' | 'verifier'>): TickDependencies {
  const aws = clientConfig();
  return {
    fleet: new AwsFleet({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) }),
    ledger: new DynamoLedger({ client: DynamoDBDocumentClient.from(new DynamoDBClient(aws)), tableName: config.ledgerTable, clock: () => Date.now() }),
    events: new EventBridgeEvents({ client: new EventBridgeClient(aws), eventBusName: config.eventBusName }),
    alarms: new CloudWatchAlarms({ client: new CloudWatchClient(aws) }),
    settings: settingsFor(config.mode, aws),
    logger: functionLogger(functionName),
    // The draws' variety comes from their key (the tick and the group); every container must draw alike.
    chaosSeed: 0,
  };
}

/**
 * The invocation's summary. A failed action is reported, never swallowed: the invocation fails so
 * the function's error alarm fires, after every other action of the run went ahead.
 */
export function finishRun(deps: TickDependencies, result: TickResult): Record<string, unknown> {
  const summary = {
    at: new Date(result.at).toISOString(),
    mode: result.mode,
    blocked: result.block?.why ?? null,
    groups: result.decisions.length,
    terminated: result.outcomes.filter((outcome) => outcome.kind === 'terminated').length,
    closed: result.outcomes.filter((outcome) => outcome.kind === 'closed').length,
    failed: result.outcomes.filter((outcome) => outcome.kind === 'failed').length,
  };
  deps.logger.info('run done', summary);
  if (summary.failed > 0) throw new Error(`${summary.failed} action(s) failed in this run; see the log lines before this one`);
  return summary;
}
