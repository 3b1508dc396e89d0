import { createInterface } from 'node:readline/promises';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientOptions, clientConfig } from '../../adapters/aws-config.js';
import { LambdaDeployedRecycler, LambdaSelftestFunction } from '../../adapters/deployed-recycler.js';
import { AwsSelftestCloud } from '../../adapters/selftest-cloud.js';
import { CloudWatchVerifierLogs } from '../../adapters/verifier-logs.js';
import { SETTINGS } from '../../app/account-settings.js';
import type { TaintProbeRequest } from '../../core/selftest/taint-probe.js';
import type { SelftestSession } from '../selftest-command.js';
import type { SelftestClock } from './ports.js';
import { InterruptedError } from './watch.js';

/** The clock of a real run: the wall clock, and a wait that an interrupt cuts short. */
const WALL_CLOCK: SelftestClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new InterruptedError());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', interrupted);
        resolve();
      }, ms);
      const interrupted = (): void => {
        clearTimeout(timer);
        reject(new InterruptedError());
      };
      signal.addEventListener('abort', interrupted, { once: true });
    }),
};

/** A yes/no question on the terminal; none when stdin is not one (a pipe, CI). */
function terminalConfirm(): SelftestSession['confirm'] {
  if (process.stdin.isTTY !== true) return undefined;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await terminal.question(question)).trim());
    } finally {
      terminal.close();
    }
  };
}

/**
 * The session of a real run: clients over the caller's credentials, the stage's functions by the names
 * osls gives them, the wall clock, the terminal, and Ctrl-C turned into an abort so the run stops
 * waiting and cleans up (a second Ctrl-C exits at once).
 */
export async function connectSelftest(aws: ClientOptions, stage: string): Promise<SelftestSession> {
  const config = clientConfig(aws);
  const ec2 = new EC2Client(config);
  const lambda = new LambdaClient(config);
  const region = await ec2.config.region();
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('interrupted: cleaning up (Ctrl-C again to leave everything as it is)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  return {
    cloud: new AwsSelftestCloud({
      autoScaling: new AutoScalingClient(config),
      ec2,
      ssm: new SSMClient(config),
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
      cloudWatch: new CloudWatchClient(config),
      clock: () => Date.now(),
    }),
    recycler: new LambdaDeployedRecycler(lambda, `phoenix-${stage}-recycler`, {
      ledgerTable: SETTINGS.ledgerTable.variable.name,
      modeParameter: SETTINGS.modeParameter.variable.name,
      mode: SETTINGS.mode.variable.name,
      stopAlarms: SETTINGS.stopAlarms.variable.name,
    }),
    tainter: new LambdaSelftestFunction<TaintProbeRequest>(lambda, `phoenix-${stage}-tainter`),
    verifierLogs: new CloudWatchVerifierLogs(new CloudWatchLogsClient(config), lambda, `phoenix-${stage}-verifier`),
    clock: WALL_CLOCK,
    progress: (line) => process.stderr.write(`${line}\n`),
    region,
    confirm: terminalConfirm(),
    signal: controller.signal,
  };
}
