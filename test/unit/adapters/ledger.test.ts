import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerItemError } from '../../../functions/adapters/errors.js';
import { DynamoLedger } from '../../../functions/adapters/ledger.js';
import { recordFromItem, toItem } from '../../../functions/adapters/ledger-items.js';
import { snoozeFromItem } from '../../../functions/adapters/ledger-snoozes.js';
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

  it('a max size left to its owner is stored with the closed record and read back', async () => {
    const maxLeft = { maxSize: 8, why: 'max size left at 8: someone changed it from the 5 Phoenix set during the surge (it was 4 before)' };
    expect(recordFromItem(toItem({ ...verified, maxLeft }))).toStrictEqual({ ...verified, maxLeft });
    expect(toItem({ ...verified, maxLeft })['maxLeft']).toEqual(maxLeft);
  });

  it('a well-formed stored item reads back as its record', async () => {
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { IndexName: 'open' })
      .resolves({ Items: [storedSurging] });
    expect(await ledger.openRecords()).toStrictEqual({ records: [surging], blocks: [], releases: [], snoozes: [] });
  });

  it.each([
    {
      case: 'unknown phase',
      change: { phase: 'exploding' },
      problem: 'phase must be one of surging, terminating, undoing, verified, failed, abandoned, vanished, dry-run, got "exploding"',
    },
    { case: 'unknown reason', change: { reason: 'boredom' }, problem: 'reason must be one of requested, tainted, stale-config, max-age, chaos, got "boredom"' },
    { case: 'unknown mode', change: { mode: 'maybe' }, problem: 'mode must be one of live, dry-run, got "maybe"' },
    { case: 'startedAt stored as a string', change: { startedAt: String(WEDNESDAY_NOON) }, problem: `startedAt must be a number, got "${WEDNESDAY_NOON}"` },
    { case: 'instance age stored as a string', change: { instanceAgeSeconds: '8d' }, problem: 'instanceAgeSeconds must be a number, got "8d"' },
    { case: 'id missing', change: { id: undefined }, problem: 'id must be a string, got nothing' },
    { case: 'surge not a map', change: { surge: 'yes' }, problem: 'surge must be a map, got "yes"' },
    { case: 'surge with a string inside', change: { surge: { fromDesired: 2, toDesired: '3' } }, problem: 'surge.toDesired must be a number, got "3"' },
    { case: 'maxRaise not a map', change: { maxRaise: 5 }, problem: 'maxRaise must be a map, got 5' },
    { case: 'maxRaise without the max to restore', change: { maxRaise: { toMax: 5 } }, problem: 'maxRaise.fromMax must be a number, got nothing' },
    { case: 'maxLeft without why', change: { maxLeft: { maxSize: 8 } }, problem: 'maxLeft.why must be a string, got nothing' },
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
    const read = ledger.openRecords();
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
  it('recordsSince asks the byStart index once a mode, from since on, however many days that spans', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    await ledger.recordsSince(WEDNESDAY_NOON - 9 * DAY);
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.IndexName, input.ExpressionAttributeValues])).toEqual([
      ['byStart', { ':mode': 'live', ':from': WEDNESDAY_NOON - 9 * DAY }],
      ['byStart', { ':mode': 'dry-run', ':from': WEDNESDAY_NOON - 9 * DAY }],
    ]);
  });

  it('follows LastEvaluatedKey to the last page and returns the records by start time', async () => {
    const earlier = {
      ...storedSurging,
      group: 'api',
      pk: 'GROUP#api',
      id: 'api#1',
      sk: 'REC#2026-11-18T11:00:00.000Z#api#1',
      startedAt: WEDNESDAY_NOON - HOUR,
    };
    const page = { mode: 'live', startedAt: WEDNESDAY_NOON, pk: 'GROUP#web', sk: storedSurging['sk'] };
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { IndexName: 'byStart', ExpressionAttributeValues: { ':mode': 'live', ':from': WEDNESDAY_NOON - DAY } })
      .resolvesOnce({ Items: [storedSurging], LastEvaluatedKey: page })
      .resolvesOnce({ Items: [earlier] });
    const found = await ledger.recordsSince(WEDNESDAY_NOON - DAY);
    expect(found.records.map((record) => record.id)).toEqual(['api#1', ID]);
    const liveCalls = documents.commandCalls(QueryCommand, { ExpressionAttributeValues: { ':mode': 'live', ':from': WEDNESDAY_NOON - DAY } });
    expect(liveCalls.map((call) => call.args[0].input.ExclusiveStartKey)).toEqual([undefined, page]);
  });

  it('openRecords is one Query of the open index', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    expect(await ledger.openRecords()).toEqual({ records: [], blocks: [], releases: [], snoozes: [] });
    expect(documents.commandCalls(QueryCommand).map((call) => call.args[0].input.IndexName)).toEqual(['open']);
  });

  it("groupRecordsSince reads each named group's partition once, consistently", async () => {
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'GROUP#web' } }, false)
      .resolves({ Items: [storedSurging] });
    expect(await ledger.groupRecordsSince(['web', 'api', 'web'], WEDNESDAY_NOON - DAY)).toStrictEqual([surging]);
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.IndexName, input.ConsistentRead, input.ExpressionAttributeValues?.[':pk']])).toEqual([
      [undefined, true, 'GROUP#web'],
      [undefined, true, 'GROUP#api'],
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

describe('snooze items: the tick marks, the verifier notes who set it, in either order on one item', () => {
  const UNTIL = WEDNESDAY_NOON + 6 * HOUR;
  const KEY = { pk: 'GROUP#web', sk: 'SNOOZE#2026-11-18T18:00:00.000Z' };
  const BOB = 'arn:aws:sts::123456789012:assumed-role/WebTeam/bob@example.com';
  const setter = { group: 'web', until: UNTIL, by: BOB, at: WEDNESDAY_NOON - HOUR, eventId: 'e-1' };
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  /** A marked item with its setter, as the table holds it, written out by hand. */
  const stored = {
    ...KEY,
    kind: 'snooze',
    group: 'web',
    until: UNTIL,
    mode: 'live',
    startedAt: WEDNESDAY_NOON,
    day: '2026-11-18',
    expiresAt: (WEDNESDAY_NOON - HOUR) / 1000 + 90 * 86_400,
    setBy: BOB,
    setAt: WEDNESDAY_NOON - HOUR,
  };

  it('the mark is an update of the index attributes and its fields, only where no tick marked it yet, leaving a setter alone', async () => {
    documents.on(UpdateCommand).resolves({});
    await ledger.markSnooze({ group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON });
    const [call] = documents.commandCalls(UpdateCommand);
    const input = call?.args[0].input;
    expect(input?.Key).toEqual(KEY);
    expect(input?.ConditionExpression).toBe('attribute_not_exists(#seen)');
    expect(input?.ExpressionAttributeNames?.['#seen']).toBe('startedAt');
    const set = Object.fromEntries(
      Object.entries(input?.ExpressionAttributeNames ?? {}).flatMap(([name, attribute]) =>
        name === '#seen' ? [] : [[attribute, input?.ExpressionAttributeValues?.[`:${name.slice(1)}`]]],
      ),
    );
    expect(set).toEqual({
      kind: 'snooze',
      group: 'web',
      until: UNTIL,
      mode: 'live',
      startedAt: WEDNESDAY_NOON,
      day: '2026-11-18',
      expiresAt: WEDNESDAY_NOON / 1000 + 90 * 86_400,
    });
    expect(input?.UpdateExpression).not.toMatch(/setBy|setAt|REMOVE/);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('a value already marked is left as first seen; any other failure propagates', async () => {
    documents.on(UpdateCommand).rejectsOnce(conditionFailed()).rejectsOnce(throttled());
    await expect(ledger.markSnooze({ group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON })).resolves.toBeUndefined();
    await expect(ledger.markSnooze({ group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON })).rejects.toThrow(ProvisionedThroughputExceededException);
  });

  it('the setter is kept unless an earlier one is, with an expiry only where the item has none', async () => {
    documents.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).rejectsOnce(throttled());
    expect(await ledger.noteSnoozeSetter(setter)).toBe('noted');
    expect(documents.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'ledger',
      Key: KEY,
      UpdateExpression: 'SET #by = :by, #at = :at, #expires = if_not_exists(#expires, :expires)',
      ConditionExpression: 'attribute_not_exists(#at) OR #at > :at',
      ExpressionAttributeNames: { '#by': 'setBy', '#at': 'setAt', '#expires': 'expiresAt' },
      ExpressionAttributeValues: { ':by': BOB, ':at': WEDNESDAY_NOON - HOUR, ':expires': (WEDNESDAY_NOON - HOUR) / 1000 + 90 * 86_400 },
    });
    expect(await ledger.noteSnoozeSetter(setter)).toBe('earlier-kept');
    await expect(ledger.noteSnoozeSetter(setter)).rejects.toThrow(ProvisionedThroughputExceededException);
  });

  it('a marked item reads back with its setter; without one, as before', () => {
    expect(snoozeFromItem(stored)).toStrictEqual({ group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON, setter: { by: BOB, at: WEDNESDAY_NOON - HOUR } });
    const { setBy: _by, setAt: _at, ...unset } = stored;
    expect(snoozeFromItem(unset)).toStrictEqual({ group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON });
    expect(() => snoozeFromItem({ ...stored, setAt: 'noon' })).toThrow(/malformed snooze mark .*setAt must be a number, got "noon"/);
  });

  it('an item with only a setter (no tick marked it) is no snooze to any read, and trips none', async () => {
    const setterOnly = { ...KEY, setBy: BOB, setAt: WEDNESDAY_NOON - HOUR, expiresAt: 1 };
    expect(snoozeFromItem(setterOnly)).toBeUndefined();
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { IndexName: 'byStart', ExpressionAttributeValues: { ':mode': 'live' } })
      .resolves({ Items: [setterOnly, stored] })
      .on(QueryCommand, { IndexName: 'byDay', ExpressionAttributeValues: { ':day': '2026-11-18' } })
      .resolves({ Items: [setterOnly, stored] });
    expect(await ledger.recordsSince(WEDNESDAY_NOON - DAY)).toStrictEqual({
      records: [],
      blocks: [],
      releases: [],
      snoozes: [{ group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON, setter: { by: BOB, at: WEDNESDAY_NOON - HOUR } }],
    });
    expect(await ledger.snoozesBetween(WEDNESDAY_NOON - DAY, WEDNESDAY_NOON + DAY)).toEqual([
      { group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON, setter: { by: BOB, at: WEDNESDAY_NOON - HOUR } },
    ]);
    expect(await ledger.recordsBetween(WEDNESDAY_NOON - DAY, WEDNESDAY_NOON + DAY)).toEqual([]);
  });
});
