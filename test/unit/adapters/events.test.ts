import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventPublishError } from '../../../functions/adapters/errors.js';
import { EventBridgeEvents, MAX_REQUEST_BYTES } from '../../../functions/adapters/events.js';
import type { PhoenixEvent, RecoveryFailed } from '../../../functions/core/events.js';

const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const TIME = '2025-03-04T05:06:07.000Z';

afterEach(() => {
  eventBridge.reset();
});

/** A small event whose record id says which one it is, so tests can follow entries across calls. */
function failure(index: number, reason = 'no healthy replacement'): RecoveryFailed {
  return { detailType: 'Recovery Failed', time: TIME, detail: { group: 'web', instanceId: `i-${index}`, recordId: `r-${index}`, reason, owner: null } };
}

function failures(count: number): RecoveryFailed[] {
  return Array.from({ length: count }, (_, index) => failure(index));
}

/** An event whose PutEvents entry is exactly `bytes` long as EventBridge counts it (14 for Time). */
function failureOfBytes(index: number, bytes: number): RecoveryFailed {
  const base = failure(index, '');
  const overhead = 14 + 'phoenix'.length + base.detailType.length + JSON.stringify(base.detail).length;
  return failure(index, 'x'.repeat(bytes - overhead));
}

function recordIdOf(entry: PutEventsRequestEntry): string {
  return (JSON.parse(entry.Detail ?? '{}') as { recordId: string }).recordId;
}

function sentRecordIds(): string[][] {
  return eventBridge.commandCalls(PutEventsCommand).map((call) => (call.args[0].input.Entries ?? []).map(recordIdOf));
}

/**
 * Answers every PutEvents like EventBridge would, rejecting the entries `rejects` picks out; the
 * calls numbered in `thrown` (from 1) fail as a whole, as after the SDK gave up retrying.
 */
function respond(rejects: (recordId: string, call: number) => string | undefined, thrown: ReadonlyMap<number, Error> = new Map()): void {
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries?: PutEventsRequestEntry[] }) => {
    call += 1;
    const error = thrown.get(call);
    if (error !== undefined) return Promise.reject(error);
    const entries: PutEventsResultEntry[] = (input.Entries ?? []).map((entry, index) => {
      const code = rejects(recordIdOf(entry), call);
      return code === undefined ? { EventId: `evt-${call}-${index}` } : { ErrorCode: code, ErrorMessage: `${code} for ${recordIdOf(entry)}` };
    });
    return { FailedEntryCount: entries.filter((entry) => entry.ErrorCode !== undefined).length, Entries: entries };
  });
}

async function publishError(events: readonly PhoenixEvent[], adapter = new EventBridgeEvents({ client })): Promise<EventPublishError> {
  const error: unknown = await adapter.publish(events).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EventPublishError);
  return error as EventPublishError;
}

describe('EventBridgeEvents batching', () => {
  it.each([
    { case: 'no events makes no call', count: 0, sizes: [] },
    { case: 'one event in one call', count: 1, sizes: [1] },
    { case: 'exactly ten fill one call', count: 10, sizes: [10] },
    { case: 'eleven spill into a second call', count: 11, sizes: [10, 1] },
    { case: '23 events go as 10/10/3', count: 23, sizes: [10, 10, 3] },
  ])('$case', async ({ count, sizes }) => {
    respond(() => undefined);
    await new EventBridgeEvents({ client }).publish(failures(count));
    expect(sentRecordIds().map((ids) => ids.length)).toEqual(sizes);
    expect(sentRecordIds().flat()).toEqual(failures(count).map((event) => event.detail.recordId));
  });

  it.each([
    { case: 'two 150 KB entries cannot share a call', bytes: [150 * 1024, 150 * 1024], sizes: [1, 1] },
    { case: 'two 128 KB entries share a call at exactly 256 KB', bytes: [128 * 1024, 128 * 1024], sizes: [2] },
    { case: 'a small entry after a large one starts a new call when it would overflow', bytes: [MAX_REQUEST_BYTES - 100, 200, 200], sizes: [1, 2] },
  ])('$case', async ({ bytes, sizes }) => {
    respond(() => undefined);
    await new EventBridgeEvents({ client }).publish(bytes.map((size, index) => failureOfBytes(index, size)));
    expect(sentRecordIds().map((ids) => ids.length)).toEqual(sizes);
  });
});

describe('EventBridgeEvents entries', () => {
  const events: PhoenixEvent[] = [
    {
      detailType: 'Instance Recycled',
      time: TIME,
      detail: {
        group: 'web',
        instanceId: 'i-1',
        reason: 'max-age',
        instanceAgeSeconds: 86_400,
        recordId: 'r-1',
        launchedBeforeTerminate: true,
        owner: 'team-web',
      },
    },
    {
      detailType: 'Recovery Verified',
      time: '2025-03-04T05:16:07Z',
      detail: { group: 'web', instanceId: 'i-1', recordId: 'r-1', recoverySeconds: 600, owner: 'team-web' },
    },
    { detailType: 'Group Quarantined', time: TIME, detail: { group: 'api', reason: '3 failed recoveries', since: TIME, owner: null } },
  ];

  it.each([
    { case: 'the default bus unless told', options: {}, bus: 'default' },
    { case: 'the configured bus', options: { eventBusName: 'ops' }, bus: 'ops' },
  ])('$case', async ({ options, bus }) => {
    respond(() => undefined);
    await new EventBridgeEvents({ client, ...options }).publish(events);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toEqual(
      events.map((event) => ({
        EventBusName: bus,
        Source: 'phoenix',
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Time: new Date(event.time),
      })),
    );
  });

  it('an event whose time is not a date is reported and not sent', async () => {
    respond(() => undefined);
    const error = await publishError([failure(0), { ...failure(1), time: 'yesterday' }]);
    expect(error.failed).toEqual([{ detailType: 'Recovery Failed', errorCode: 'InvalidTime', errorMessage: 'event time "yesterday" is not a date' }]);
    expect(sentRecordIds()).toEqual([['r-0']]);
  });
});

describe('EventBridgeEvents partial failures', () => {
  it.each([
    { case: 'one entry rejected once', rejected: ['r-4'] },
    { case: 'entries of two batches rejected once', rejected: ['r-4', 'r-15', 'r-21'] },
    { case: 'a whole batch rejected once', rejected: Array.from({ length: 10 }, (_, index) => `r-${index + 10}`) },
  ])('$case: only the rejected entries are resent, and nothing throws', async ({ rejected }) => {
    respond((recordId, call) => (call <= 3 && rejected.includes(recordId) ? 'InternalFailure' : undefined));
    await new EventBridgeEvents({ client }).publish(failures(23));
    const calls = sentRecordIds();
    expect(calls.slice(0, 3).map((ids) => ids.length)).toEqual([10, 10, 3]);
    expect(calls.slice(3)).toEqual([rejected]);
  });

  it('entries rejected twice end in an EventPublishError naming them, after exactly one retry', async () => {
    respond((recordId) => (recordId === 'r-4' ? 'ThrottlingException' : recordId === 'r-15' ? 'InternalFailure' : undefined));
    const error = await publishError(failures(23));
    expect(error.name).toBe('EventPublishError');
    expect(error.failed).toEqual([
      { detailType: 'Recovery Failed', errorCode: 'ThrottlingException', errorMessage: 'ThrottlingException for r-4' },
      { detailType: 'Recovery Failed', errorCode: 'InternalFailure', errorMessage: 'InternalFailure for r-15' },
    ]);
    expect(error.message).toContain('failed to publish 2 of 23 events');
    expect(error.cause).toBeUndefined();
    expect(sentRecordIds().slice(3)).toEqual([['r-4', 'r-15']]);
  });

  it('a response without a result for an entry counts that entry as failed', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries?: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).slice(1).map(() => ({ EventId: 'evt' })),
    }));
    const error = await publishError(failures(3));
    expect(error.failed).toEqual([{ detailType: 'Recovery Failed', errorCode: 'NoResult', errorMessage: '' }]);
    expect(sentRecordIds()).toEqual([['r-0', 'r-1', 'r-2'], ['r-2']]);
  });
});

describe('EventBridgeEvents calls that throw', () => {
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

  it('a throttled call ends in an EventPublishError with the cause, and the other batches are still sent', async () => {
    respond(() => undefined, new Map([[1, throttled]]));
    const error = await publishError(failures(23));
    expect(error.cause).toBe(throttled);
    expect(error.failed).toHaveLength(10);
    expect(error.failed).toContainEqual({ detailType: 'Recovery Failed', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' });
    // The SDK already retried the throttled call; the adapter does not send its batch again.
    expect(sentRecordIds().map((ids) => ids.length)).toEqual([10, 10, 3]);
  });

  it('several calls that throw are all in the cause', async () => {
    eventBridge.on(PutEventsCommand).rejects(throttled);
    const error = await publishError(failures(23));
    expect(error.failed).toHaveLength(23);
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors).toEqual([throttled, throttled, throttled]);
  });

  it('a retry call that throws ends in an EventPublishError with its cause', async () => {
    respond((recordId) => (recordId === 'r-1' ? 'InternalFailure' : undefined), new Map([[2, throttled]]));
    const error = await publishError(failures(3));
    expect(error.cause).toBe(throttled);
    expect(error.failed).toEqual([{ detailType: 'Recovery Failed', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }]);
    expect(sentRecordIds()).toEqual([['r-0', 'r-1', 'r-2'], ['r-1']]);
  });
});

describe('EventBridgeEvents oversized entries', () => {
  it.each([
    { case: 'one byte over the limit is refused', bytes: MAX_REQUEST_BYTES + 1, sent: false },
    { case: 'far over the limit is refused', bytes: 2 * MAX_REQUEST_BYTES, sent: false },
    { case: 'exactly at the limit is sent', bytes: MAX_REQUEST_BYTES, sent: true },
  ])('$case', async ({ bytes, sent }) => {
    respond(() => undefined);
    const events = [failure(0), failureOfBytes(1, bytes), failure(2)];
    const outcome: unknown = await new EventBridgeEvents({ client }).publish(events).then(
      () => 'published',
      (thrown: unknown) => thrown,
    );
    const sentIds = sentRecordIds().flat();
    expect(sentIds.includes('r-1')).toBe(sent);
    expect(sentIds).toEqual(expect.arrayContaining(['r-0', 'r-2']));
    if (sent) {
      expect(outcome).toBe('published');
    } else {
      expect(outcome).toBeInstanceOf(EventPublishError);
      expect((outcome as EventPublishError).failed).toEqual([
        {
          detailType: 'Recovery Failed',
          errorCode: 'EntryTooLarge',
          errorMessage: `entry is ${bytes} bytes, over the ${MAX_REQUEST_BYTES}-byte PutEvents limit`,
        },
      ]);
    }
  });

  it('size counts UTF-8 bytes, not characters', async () => {
    respond(() => undefined);
    // 100,000 three-byte characters are 300,000 bytes though only 100,000 characters long.
    const error = await publishError([failure(0, '€'.repeat(100_000))]);
    expect(error.failed[0]?.errorCode).toBe('EntryTooLarge');
    expect(sentRecordIds()).toEqual([]);
  });
});
