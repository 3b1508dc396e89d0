import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudWatchAlarms } from '../adapters/alarms.js';
import { ApiCallCounter } from '../adapters/api-calls.js';
import { clientConfig } from '../adapters/aws-config.js';
import { EmfMetrics, phoenixMetrics } from '../adapters/emf-metrics.js';
import { EventBridgeEvents } from '../adapters/events.js';
import { AwsFleet } from '../adapters/fleet.js';
import { LaunchImages } from '../adapters/launch-images.js';
import { DynamoLedger } from '../adapters/ledger.js';
import { functionLogger, loggerPort } from '../adapters/powertools-logger.js';
import { SsmSettings } from '../adapters/settings.js';
import type { MetricsPort, SettingsPort, SnoozeSetterPort } from '../core/ports.js';
import type { MetricDimensions } from './account-settings.js';
import type { ModeSource, RecyclerConfig } from './config.js';
import { runMetrics } from './metrics.js';
import type { TickDependencies, TickResult } from './tick.js';

/** A mode switch reaches every function within this time, in seconds, without an SSM read per invocation. */
const MODE_CACHE_SECONDS = 10;

type Role = 'recycler' | 'verifier';

function settingsFor(source: ModeSource, ssm: () => SSMClient): SettingsPort {
  if (source.kind === 'parameter') return new SsmSettings({ client: ssm(), parameterName: source.name, cacheSeconds: MODE_CACHE_SECONDS });
  const mode = source.mode;
  return { globalMode: async () => mode };
}

/** What a run reports about itself besides its decisions: metrics, and the measurements behind them. */
export interface RunTelemetry {
  readonly role: Role;
  readonly dimensions: MetricDimensions;
  readonly metrics: MetricsPort;
  readonly apiCalls: ApiCallCounter;
}

/** The Powertools objects the handler's middlewares need: the Lambda context goes into the logger, the metrics are flushed. */
export interface Powertools {
  readonly logger: PowertoolsLogger;
  readonly metrics: Metrics;
}

export type RunDependencies = TickDependencies & {
  readonly telemetry: RunTelemetry;
  readonly powertools: Powertools;
  /** The same ledger, where the verifier notes who set a snooze. */
  readonly snoozeSetters: SnoozeSetterPort;
};

/** A tick reads each new version's AMI, for the breaker: the lookup lives as long as the container. */
function tickFleet(autoScaling: AutoScalingClient, ec2: EC2Client): AwsFleet {
  return new AwsFleet({ autoScaling, ec2, images: new LaunchImages(ec2) });
}

/** The recycler's or the verifier's ports over the real AWS clients, created once per Lambda container. */
export function tickDependencies(config: RecyclerConfig, role: Role): RunDependencies {
  const aws = clientConfig();
  const apiCalls = new ApiCallCounter();
  const logger = functionLogger({ role, stage: config.stage });
  const powertools = { logger, metrics: phoenixMetrics(logger) };
  const ledger = new DynamoLedger({
    client: DynamoDBDocumentClient.from(apiCalls.watch(new DynamoDBClient(aws))),
    tableName: config.ledgerTable,
    clock: () => Date.now(),
  });
  return {
    fleet: tickFleet(apiCalls.watch(new AutoScalingClient(aws)), apiCalls.watch(new EC2Client(aws))),
    ledger,
    snoozeSetters: ledger,
    events: new EventBridgeEvents({ client: apiCalls.watch(new EventBridgeClient(aws)), eventBusName: config.eventBusName }),
    alarms: new CloudWatchAlarms({ client: apiCalls.watch(new CloudWatchClient(aws)) }),
    settings: settingsFor(config.mode, () => apiCalls.watch(new SSMClient(aws))),
    logger: loggerPort(powertools.logger),
    // The draws' variety comes from their key (the tick and the group); every container must draw alike.
    chaosSeed: 0,
    telemetry: { role, dimensions: config.metricDimensions, metrics: new EmfMetrics(powertools.metrics, logger), apiCalls },
    powertools,
  };
}

/** Runs a tick and measures it: how long it took and how many AWS calls it made. */
export async function measuredRun(deps: RunDependencies, run: () => Promise<TickResult>): Promise<Record<string, unknown>> {
  deps.telemetry.apiCalls.take();
  const startedAt = performance.now();
  const result = await run();
  const { role, dimensions } = deps.telemetry;
  deps.telemetry.metrics.publish(
    runMetrics(result, { role, dimensions, durationMs: Math.round(performance.now() - startedAt), apiCalls: deps.telemetry.apiCalls.take() }),
  );
  return finishRun(deps, result);
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
