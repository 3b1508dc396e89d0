import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../core/events.js';
import type { OutboxEvent } from '../core/model.js';
import type { EventsPort } from '../core/ports.js';
import { EventPublishError, type FailedEvent } from './errors.js';

/** PutEvents accepts at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** PutEvents accepts at most 256 KB per call, so also per entry. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** EventBridge counts a set Time field as 14 bytes when sizing an entry. */
const TIME_BYTES = 14;

export interface EventBridgeEventsOptions {
  readonly client: EventBridgeClient;
  /** The bus events go to; the account's default bus unless set. */
  readonly eventBusName?: string;
}

interface Pending {
  readonly detailType: string;
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
}

interface Failure {
  readonly pending: Pending;
  readonly errorCode: string;
  readonly errorMessage: string;
}

interface Attempt {
  /** Entries a call accepted but rejected one by one (FailedEntryCount). */
  readonly rejected: Failure[];
  /** Entries of calls that threw after the SDK's own retries. */
  readonly lost: Failure[];
  readonly thrown: unknown[];
}

const utf8Bytes = (text: string | undefined): number => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

/** The size EventBridge charges against its request limit. */
function entryBytes(entry: PutEventsRequestEntry): number {
  return (entry.Time === undefined ? 0 : TIME_BYTES) + utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
}

/** Greedy batches within both the entry-count and the request-size limits. */
function batches(pending: readonly Pending[]): Pending[][] {
  const result: Pending[][] = [];
  let current: Pending[] = [];
  let currentBytes = 0;
  for (const item of pending) {
    if (current.length === MAX_ENTRIES_PER_CALL || currentBytes + item.bytes > MAX_REQUEST_BYTES) {
      result.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += item.bytes;
  }
  if (current.length > 0) result.push(current);
  return result;
}

function errorParts(error: unknown): { errorCode: string; errorMessage: string } {
  return error instanceof Error ? { errorCode: error.name, errorMessage: error.message } : { errorCode: 'Error', errorMessage: String(error) };
}

/** Publishes Phoenix events to EventBridge; every failure ends in an EventPublishError, never silence. */
export class EventBridgeEvents implements EventsPort {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;

  constructor(options: EventBridgeEventsOptions) {
    this.client = options.client;
    this.eventBusName = options.eventBusName ?? 'default';
  }

  async publish(events: readonly OutboxEvent[]): Promise<void> {
    const refused: FailedEvent[] = [];
    const sendable: Pending[] = [];
    for (const event of events) {
      const time = new Date(event.time);
      if (Number.isNaN(time.getTime())) {
        refused.push({ detailType: event.detailType, errorCode: 'InvalidTime', errorMessage: `event time ${JSON.stringify(event.time)} is not a date` });
        continue;
      }
      const entry: PutEventsRequestEntry = {
        EventBusName: this.eventBusName,
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Time: time,
      };
      const bytes = entryBytes(entry);
      if (bytes > MAX_REQUEST_BYTES) {
        refused.push({
          detailType: event.detailType,
          errorCode: 'EntryTooLarge',
          errorMessage: `entry is ${bytes} bytes, over the ${MAX_REQUEST_BYTES}-byte PutEvents limit`,
        });
        continue;
      }
      sendable.push({ detailType: event.detailType, entry, bytes });
    }

    const first = await this.attempt(sendable);
    // The SDK retries whole calls, not the entries a partially failed call rejected, so those get one more try here.
    const retry = await this.attempt(first.rejected.map((failure) => failure.pending));
    const thrown = [...first.thrown, ...retry.thrown];
    const failed = [
      ...refused,
      ...[...first.lost, ...retry.rejected, ...retry.lost].map(({ pending, errorCode, errorMessage }) => ({
        detailType: pending.detailType,
        errorCode,
        errorMessage,
      })),
    ];
    if (failed.length === 0) return;
    const cause = thrown.length === 0 ? undefined : thrown.length === 1 ? thrown[0] : new AggregateError(thrown, 'several PutEvents calls threw');
    throw new EventPublishError(failed, events.length, cause);
  }

  /** Sends every batch, even after one fails, and collects what did not get through. */
  private async attempt(pending: readonly Pending[]): Promise<Attempt> {
    const attempt: Attempt = { rejected: [], lost: [], thrown: [] };
    for (const batch of batches(pending)) {
      try {
        const response = await this.client.send(new PutEventsCommand({ Entries: batch.map((item) => item.entry) }));
        batch.forEach((item, index) => {
          const result = response.Entries?.[index];
          if (result?.ErrorCode === undefined && result?.EventId !== undefined) return;
          attempt.rejected.push({ pending: item, errorCode: result?.ErrorCode ?? 'NoResult', errorMessage: result?.ErrorMessage ?? '' });
        });
      } catch (error) {
        // The SDK has already retried this call (throttling, 5xx); another try here would only multiply its backoff.
        attempt.thrown.push(error);
        const parts = errorParts(error);
        for (const item of batch) attempt.lost.push({ pending: item, ...parts });
      }
    }
    return attempt;
  }
}
