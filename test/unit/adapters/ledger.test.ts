import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerItemError } from '../../../functions/adapters/errors.js';
import { DynamoLedger } from '../../../functions/adapters/ledger.js';
import { recordFromItem, toItem } from '../../../functions/adapters/ledger-items.js';
import { LEDGER_KEY } from '../../../functions/adapters/ledger-table.js';
import type { ReplacementRecord } from '../../../functions/core/model.js';
import { DAY, HOUR } from '../../../functions/core/model.js';
import { WEDNESDAY_NOON } from '../../support/clock.js';

const documents = mockClient(DynamoDBDocumentClient);
const ledger = new DynamoLedger({
  client: new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
  tableName: 'ledger',
  clock: () => WEDNESDAY_NOON,
});

afterEach(() => {
  documents.reset();
});

const ID = 'web#2026-11-18T12:00:00.000Z';
const surging: ReplacementRecord = {
  id: ID,
  group: 'web',
  instanceId: 'i-1',
  reason: 'max-age',
  mode: 'live',
  instanceAgeSeconds: 691_200,
  startedAt: WEDNESDAY_NOON,
  phase: 'surging',
  surge: { fromDesired: 2, toDesired: 3 },
};
const verified: ReplacementRecord = { ...surging, phase: 'verified', closedAt: WEDNESDAY_NOON + HOUR, detail: 'recovered in 300s' };
const dryRun: ReplacementRecord = { ...surging, mode: 'dry-run', phase: 'dry-run', closedAt: WEDNESDAY_NOON };

/** The stored form of `surging`, written out by hand so the reader is not checked against itself. */
const storedSurging: Record<string, unknown> = {
  pk: 'GROUP#web',
  sk: `REC#2026-11-18T12:00:00.000Z#${ID}`,
  day: '2026-11-18',
  expiresAt: WEDNESDAY_NOON / 1000 + 90 * 86_400,
  open: 'OPEN',
  openGroup: 'web',
  id: ID,
  group: 'web',
  instanceId: 'i-1',
  reason: 'max-age',
  mode: 'live',
  instanceAgeSeconds: 691_200,
  startedAt: WEDNESDAY_NOON,
  phase: 'surging',
  surge: { fromDesired: 2, toDesired: 3 },
};

function cancelled(...codes: string[]): TransactionCanceledException {
  const reasons: CancellationReason[] = codes.map((Code) => ({ Code }));
  return new TransactionCanceledException({ message: `Transaction cancelled [${codes.join(', ')}]`, $metadata: {}, CancellationReasons: reasons });
}

function throttled(): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });
}

describe('DynamoLedger error paths', () => {
  it.each([
    { case: 'begin, a concurrent transaction on the lock', error: cancelled('TransactionConflict', 'None'), run: () => ledger.begin(surging) },
    { case: 'begin, the transaction throttled', error: cancelled('None', 'ThrottlingError'), run: () => ledger.begin(surging) },
    { case: 'closing, a concurrent transaction on the record', error: cancelled('TransactionConflict', 'None'), run: () => ledger.update(verified, 'surging') },
    { case: 'reopening, a validation error', error: cancelled('ValidationError', 'None'), run: () => ledger.update(surging, 'abandoned') },
  ])('a transaction cancelled for no failed condition propagates: $case', async ({ error, run }) => {
    documents.on(TransactWriteCommand).rejects(error);
    await expect(run()).rejects.toBe(error);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it.each([
    { case: 'begin, the lock taken', codes: ['ConditionalCheckFailed', 'None'], run: () => ledger.begin(surging) },
    {
      case: 'closing, the phase moved on while another reason is also given',
      codes: ['ConditionalCheckFailed', 'TransactionConflict'],
      run: () => ledger.update(verified, 'surging'),
    },
  ])('a transaction cancelled by a failed condition is a conflict: $case', async ({ codes, run }) => {
    documents.on(TransactWriteCommand).rejects(cancelled(...codes));
    expect(await run()).toBe('conflict');
  });

  it.each([
    { case: 'recordsSince (Query)', mock: () => documents.on(QueryCommand).rejects(throttled()), run: () => ledger.recordsSince(WEDNESDAY_NOON - DAY) },
    {
      case: 'recordsForGroup (Query)',
      mock: () => documents.on(QueryCommand).rejects(throttled()),
      run: () => ledger.recordsForGroup('web', WEDNESDAY_NOON - DAY),
    },
    { case: 'begin of a dry-run (PutItem)', mock: () => documents.on(PutCommand).rejects(throttled()), run: () => ledger.begin(dryRun) },
    {
      case: 'begin of a dry-run whose key exists (GetItem to compare)',
      mock: () => {
        documents.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
        documents.on(GetCommand).rejects(throttled());
      },
      run: () => ledger.begin(dryRun),
    },
    {
      case: 'begin of an open record (TransactWriteItems)',
      mock: () => documents.on(TransactWriteCommand).rejects(throttled()),
      run: () => ledger.begin(surging),
    },
    {
      case: 'update between open phases (PutItem)',
      mock: () => documents.on(PutCommand).rejects(throttled()),
      run: () => ledger.update({ ...surging, phase: 'terminating', terminatedAt: WEDNESDAY_NOON }, 'surging'),
    },
    {
      case: 'closing (TransactWriteItems)',
      mock: () => documents.on(TransactWriteCommand).rejects(throttled()),
      run: () => ledger.update(verified, 'surging'),
    },
  ])('throttling that outlasts the caller-configured retries propagates: $case', async ({ mock, run }) => {
    mock();
    await expect(run()).rejects.toThrow(ProvisionedThroughputExceededException);
  });

  it('a well-formed stored item reads back as its record', async () => {
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { IndexName: 'open' })
      .resolves({ Items: [storedSurging] });
    expect(await ledger.recordsSince(WEDNESDAY_NOON)).toStrictEqual([surging]);
  });

  it.each([
    {
      case: 'unknown phase',
      change: { phase: 'exploding' },
      problem: 'phase must be one of surging, terminating, undoing, verified, failed, abandoned, vanished, dry-run, got "exploding"',
    },
    { case: 'unknown reason', change: { reason: 'boredom' }, problem: 'reason must be one of tainted, stale-config, max-age, chaos, got "boredom"' },
    { case: 'unknown mode', change: { mode: 'maybe' }, problem: 'mode must be one of live, dry-run, got "maybe"' },
    { case: 'startedAt stored as a string', change: { startedAt: String(WEDNESDAY_NOON) }, problem: `startedAt must be a number, got "${WEDNESDAY_NOON}"` },
    { case: 'instance age stored as a string', change: { instanceAgeSeconds: '8d' }, problem: 'instanceAgeSeconds must be a number, got "8d"' },
    { case: 'id missing', change: { id: undefined }, problem: 'id must be a string, got nothing' },
    { case: 'surge not a map', change: { surge: 'yes' }, problem: 'surge must be a map, got "yes"' },
    { case: 'surge with a string inside', change: { surge: { fromDesired: 2, toDesired: '3' } }, problem: 'surge.toDesired must be a number, got "3"' },
    { case: 'detail not a string', change: { detail: 42 }, problem: 'detail must be a string, got 42' },
    { case: 'group that does not match pk', change: { group: 'api' }, problem: 'pk does not match group "api"' },
    { case: 'startedAt that does not match sk', change: { startedAt: WEDNESDAY_NOON + 1 }, problem: 'sk does not match startedAt and id' },
    {
      case: 'startedAt with a fraction',
      change: { startedAt: WEDNESDAY_NOON + 0.5 },
      problem: `startedAt must be whole epoch milliseconds in years 1970 to 9999, got ${WEDNESDAY_NOON + 0.5}`,
    },
  ])('a malformed stored item fails the read with an error naming its key: $case', async ({ change, problem }) => {
    const item: Record<string, unknown> = { ...storedSurging, ...change };
    for (const [key, value] of Object.entries(item)) if (value === undefined) delete item[key];
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { IndexName: 'open' })
      .resolves({ Items: [item] });
    const read = ledger.recordsSince(WEDNESDAY_NOON);
    await expect(read).rejects.toThrow(LedgerItemError);
    await expect(read).rejects.toThrow(`malformed ledger item pk="GROUP#web" sk="REC#2026-11-18T12:00:00.000Z#${ID}": ${problem}`);
  });

  it.each([
    { case: 'fractional', startedAt: WEDNESDAY_NOON + 0.5 },
    { case: 'negative', startedAt: -1 },
    { case: 'not a number', startedAt: Number.NaN },
    { case: 'past year 9999', startedAt: Date.UTC(10000, 0, 1) },
  ])('a record with an unusable startedAt is refused before anything is sent: $case', async ({ startedAt }) => {
    await expect(ledger.begin({ ...surging, startedAt })).rejects.toThrow(/startedAt must be whole epoch milliseconds/);
    await expect(ledger.update({ ...dryRun, startedAt }, 'dry-run')).rejects.toThrow(RangeError);
    expect(documents.calls()).toHaveLength(0);
  });
});

describe('DynamoLedger reads', () => {
  it('recordsSince queries each day bucket from since through tomorrow, plus the open index', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    await ledger.recordsSince(WEDNESDAY_NOON - 2 * DAY - HOUR);
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.filter((input) => input.IndexName === 'byDay').map((input) => input.ExpressionAttributeValues)).toEqual([
      { ':day': '2026-11-16', ':from': WEDNESDAY_NOON - 2 * DAY - HOUR, ':to': Date.UTC(2026, 10, 17) - 1 },
      { ':day': '2026-11-17', ':from': Date.UTC(2026, 10, 17), ':to': Date.UTC(2026, 10, 18) - 1 },
      { ':day': '2026-11-18', ':from': Date.UTC(2026, 10, 18), ':to': Date.UTC(2026, 10, 19) - 1 },
      { ':day': '2026-11-19', ':from': Date.UTC(2026, 10, 19), ':to': Date.UTC(2026, 10, 20) - 1 },
    ]);
    expect(inputs.filter((input) => input.IndexName === 'open')).toHaveLength(1);
    expect(inputs).toHaveLength(5);
  });

  it('follows LastEvaluatedKey to the last page and lists a record seen by both indexes once', async () => {
    const second = { ...storedSurging, group: 'api', pk: 'GROUP#api', id: 'api#1', sk: `REC#2026-11-18T12:00:00.000Z#api#1`, openGroup: 'api' };
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { IndexName: 'open' })
      .resolvesOnce({ Items: [storedSurging], LastEvaluatedKey: { open: 'OPEN', openGroup: 'web', pk: 'GROUP#web', sk: storedSurging['sk'] } })
      .resolvesOnce({ Items: [second] })
      .on(QueryCommand, { IndexName: 'byDay', ExpressionAttributeValues: { ':day': '2026-11-18', ':from': WEDNESDAY_NOON, ':to': Date.UTC(2026, 10, 19) - 1 } })
      .resolves({ Items: [storedSurging] });
    const found = await ledger.recordsSince(WEDNESDAY_NOON);
    expect(found.map((record) => record.id)).toEqual(['api#1', ID]);
    const openCalls = documents.commandCalls(QueryCommand, { IndexName: 'open' });
    expect(openCalls.map((call) => call.args[0].input.ExclusiveStartKey)).toEqual([
      undefined,
      { open: 'OPEN', openGroup: 'web', pk: 'GROUP#web', sk: storedSurging['sk'] },
    ]);
  });

  it.each([
    { case: 'an empty range', from: WEDNESDAY_NOON, to: WEDNESDAY_NOON },
    { case: 'a reversed range', from: WEDNESDAY_NOON, to: WEDNESDAY_NOON - DAY },
    { case: 'a range wholly past tomorrow', from: WEDNESDAY_NOON + 3 * DAY, to: WEDNESDAY_NOON + 10 * DAY },
    { case: 'a range wholly older than the retention', from: WEDNESDAY_NOON - 200 * DAY, to: WEDNESDAY_NOON - 100 * DAY },
  ])('recordsBetween sends nothing for $case', async ({ from, to }) => {
    expect(await ledger.recordsBetween(from, to)).toEqual([]);
    expect(documents.calls()).toHaveLength(0);
  });
});

describe('stored form of undo claims and outboxes', () => {
  const undoing: ReplacementRecord = {
    ...surging,
    phase: 'undoing',
    undo: { at: WEDNESDAY_NOON + HOUR, closeAs: 'failed', why: 'extra instance not healthy within recovery-timeout 20m', quarantine: true },
  };
  const announced: ReplacementRecord = {
    ...verified,
    outbox: [
      { detailType: 'Recovery Verified', time: '2026-11-18T13:00:00.000Z', detail: { group: 'web', instanceId: 'i-1', recordId: ID, recoverySeconds: 300 } },
    ],
  };

  it.each([
    {
      case: 'an undo claimed before its call',
      record: { ...undoing, undo: { closeAs: 'vanished' as const, why: 'i-1 was gone', quarantine: false, at: undefined } },
    },
    { case: 'an undo claimed with its call made', record: undoing },
    {
      case: 'an undo that terminates the extra instance',
      record: {
        ...undoing,
        undo: { ...undoing.undo, at: WEDNESDAY_NOON, closeAs: 'abandoned' as const, why: 'braked', quarantine: false, extraInstanceId: 'i-new' },
      },
    },
    { case: 'events waiting to be published', record: announced },
  ])('$case reads back as written, open exactly while undoing', ({ record }) => {
    const item = toItem(record);
    expect(recordFromItem(item)).toEqual(JSON.parse(JSON.stringify(record)));
    expect(item[LEDGER_KEY.open] !== undefined).toBe(record.phase === 'undoing');
  });

  it.each([
    { case: 'not JSON', outbox: '[{' },
    { case: 'an event of another source', outbox: JSON.stringify([{ detailType: 'Weekly Report', time: 'x', detail: {} }]) },
    { case: 'not a list', outbox: JSON.stringify({ detailType: 'Recovery Verified' }) },
  ])('a malformed outbox ($case) fails the read, naming the field', ({ outbox }) => {
    expect(() => recordFromItem({ ...toItem(announced), outbox })).toThrow(/outbox must be JSON text of Phoenix events/);
  });
});
