import { type CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { AUTO_SCALING_EVENT_RECEIVED, type ReceivedAutoScalingEvent, readReceivedLine } from '../core/auto-scaling-event.js';
import type { Millis } from '../core/model.js';
import { LambdaSelftestFunction } from './deployed-recycler.js';

/** One Auto Scaling event the verifier logged, and when its line was written: when the verifier got it. */
export interface ReceivedEventLine extends ReceivedAutoScalingEvent {
  readonly receivedAt: Millis;
}

/** A JSON log line, read from its first brace: Lambda's text format may put its own prefix before what the function wrote. */
function parsedLine(message: string): unknown {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(message.slice(start));
  } catch {
    return undefined;
  }
}

/** The deployed verifier's CloudWatch Logs group, as Lambda names it, read for the lines it writes about Auto Scaling's events. */
export class CloudWatchVerifierLogs {
  readonly logGroup: string;
  private readonly verifier: LambdaSelftestFunction<never>;

  constructor(
    private readonly client: CloudWatchLogsClient,
    lambda: LambdaClient,
    readonly functionName: string,
  ) {
    this.logGroup = `/aws/lambda/${functionName}`;
    this.verifier = new LambdaSelftestFunction(lambda, functionName);
  }

  async deployed(): Promise<boolean> {
    return this.verifier.deployed();
  }

  /** The events the verifier logged since `since`; undefined when the log group does not exist. */
  async receivedEvents(since: Millis): Promise<ReceivedEventLine[] | undefined> {
    const found: ReceivedEventLine[] = [];
    const pages = paginateFilterLogEvents(
      { client: this.client },
      { logGroupName: this.logGroup, startTime: since, filterPattern: `"${AUTO_SCALING_EVENT_RECEIVED}"` },
    );
    try {
      for await (const page of pages) {
        for (const event of page.events ?? []) {
          const line = readReceivedLine(parsedLine(event.message ?? ''));
          if (line !== undefined && event.timestamp !== undefined) found.push({ ...line, receivedAt: event.timestamp });
        }
      }
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    return found;
  }
}
