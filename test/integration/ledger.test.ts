import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { LEDGER_INDEX, LEDGER_TTL_ATTRIBUTE, ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import type { Millis, ReplacementPhase, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import { WEDNESDAY_NOON } from '../support/clock.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();

const TABLE = 'phoenix-ledger';

let dynamo: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeEach(async () => {
  dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
  documents = DynamoDBDocumentClient.from(dynamo);
  await dynamo.send(new CreateTableCommand(ledgerTableInput(TABLE)));
  await dynamo.send(new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: LEDGER_TTL_ATTRIBUTE, Enabled: true } }));
});

function ledgerAt(now: Millis = WEDNESDAY_NOON, client: DynamoDBClient | DynamoDBDocumentClient = dynamo): DynamoLedger {
  return new DynamoLedger({ client, tableName: TABLE, clock: () => now });
}

type RecordFields = Omit<ReplacementRecord, 'id' | 'instanceId' | 'reason' | 'mode' | 'instanceAgeSeconds' | 'phase'> &
  Partial<Pick<ReplacementRecord, 'id' | 'instanceId' | 'reason' | 'mode' | 'instanceAgeSeconds' | 'phase'>>;

/** A live surging record unless told otherwise; the id follows the tick's `<group>#<ISO start>`. */
function record(fields: RecordFields): ReplacementRecord {
  return {
    id: `${fields.group}#${new Date(fields.startedAt).toISOString()}`,
    instanceId: 'i-0123456789abcdef0',
    reason: 'max-age',
    mode: 'live',
    instanceAgeSeconds: 8 * 86_400,
    phase: 'surging',
    ...fields,
  };
}

function closed(open: ReplacementRecord, phase: 'verified' | 'failed' | 'abandoned', at: Millis = open.startedAt + 10 * MINUTE): ReplacementRecord {
  return { ...open, phase, closedAt: at, detail: `${phase} after ten minutes` };
}

async function rawItem(group: string, sk: string): Promise<Record<string, unknown> | undefined> {
  return (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: `GROUP#${group}`, sk } }))).Item;
}

function recordKey(stored: ReplacementRecord): string {
  return `REC#${new Date(stored.startedAt).toISOString()}#${stored.id}`;
}

async function openIndexItems(): Promise<Record<string, unknown>[]> {
  const page = await documents.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: LEDGER_INDEX.open,
      KeyConditionExpression: '#open = :open',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':open': 'OPEN' },
    }),
  );
  return page.Items ?? [];
}

describe('DynamoLedger against moto', () => {
  it('the table built from the shared definition has its three indexes and TTL on expiresAt', async () => {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(table.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      [LEDGER_INDEX.byDay, LEDGER_INDEX.byStart, LEDGER_INDEX.open].sort(),
    );
    expect(table.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it.each([
    {
      case: 'surging, with its surge, through a plain client',
      client: 'plain',
      stored: record({ group: 'web', startedAt: WEDNESDAY_NOON, surge: { fromDesired: 4, toDesired: 5 } }),
    },
    {
      case: 'surging with a raised max size, through a plain client',
      client: 'plain',
      stored: record({ group: 'web', startedAt: WEDNESDAY_NOON, surge: { fromDesired: 4, toDesired: 5 }, maxRaise: { fromMax: 4, toMax: 5 } }),
    },
    {
      case: 'terminating, through a DocumentClient',
      client: 'document',
      stored: record({
        group: 'web',
        startedAt: WEDNESDAY_NOON,
        phase: 'terminating',
        terminatedAt: WEDNESDAY_NOON,
        reason: 'tainted',
        touchedAt: WEDNESDAY_NOON - 2 * HOUR,
      }),
    },
    {
      case: 'dry-run without an instance age',
      client: 'plain',
      stored: record({
        group: 'web',
        startedAt: WEDNESDAY_NOON,
        mode: 'dry-run',
        phase: 'dry-run',
        instanceAgeSeconds: undefined,
        reason: 'chaos',
        closedAt: WEDNESDAY_NOON,
        detail: 'would pick i-1',
      }),
    },
  ] as const)('begin creates and the record reads back equal: $case', async ({ client, stored }) => {
    const ledger = ledgerAt(WEDNESDAY_NOON, client === 'plain' ? dynamo : documents);
    expect(await ledger.begin(stored)).toBe('created');
    expect((await ledger.recordsSince(WEDNESDAY_NOON - DAY)).records).toStrictEqual([stored]);
    expect(await ledger.recordsForGroup('web', WEDNESDAY_NOON)).toStrictEqual([stored]);
    expect(await ledger.recordsBetween(WEDNESDAY_NOON, WEDNESDAY_NOON + 1)).toStrictEqual([stored]);
  });

  it.each([
    { case: 'two surging records', second: 'surging' },
    { case: 'a surging and a terminating record', second: 'terminating' },
  ] as const)('two concurrent begins for one group: exactly one created ($case)', async ({ second }) => {
    const ledger = ledgerAt();
    const first = record({ group: 'web', startedAt: WEDNESDAY_NOON, instanceId: 'i-1' });
    const other = record({ group: 'web', startedAt: WEDNESDAY_NOON + 1, instanceId: 'i-2', phase: second });
    const results = await Promise.all([ledger.begin(first), ledger.begin(other)]);
    expect([...results].sort()).toEqual(['conflict', 'created']);
    const winner = results[0] === 'created' ? first : other;
    expect(await ledger.recordsForGroup('web', 0)).toStrictEqual([winner]);
    expect(await rawItem('web', 'LOCK')).toMatchObject({ recordId: winner.id });
  });

  it('open records in different groups do not conflict', async () => {
    const ledger = ledgerAt();
    const results = await Promise.all(['web', 'api', 'worker'].map((group) => ledger.begin(record({ group, startedAt: WEDNESDAY_NOON }))));
    expect(results).toEqual(['created', 'created', 'created']);
  });

  it.each([{ case: 'verified' }, { case: 'failed' }, { case: 'abandoned' }] as const)(
    'begin after the open one closes ($case): created',
    async ({ case: phase }) => {
      const ledger = ledgerAt();
      const open = record({ group: 'web', startedAt: WEDNESDAY_NOON - HOUR });
      expect(await ledger.begin(open)).toBe('created');
      const next = record({ group: 'web', startedAt: WEDNESDAY_NOON, instanceId: 'i-2' });
      expect(await ledger.begin(next)).toBe('conflict');
      expect(await ledger.update(closed(open, phase), 'surging')).toBe('updated');
      expect(await ledger.begin(next)).toBe('created');
    },
  );

  it.each([
    {
      case: 'while the group has an open record',
      write: async (ledger: DynamoLedger) => {
        await ledger.begin(record({ group: 'web', startedAt: WEDNESDAY_NOON - HOUR }));
        return [await ledger.begin(dryRun(WEDNESDAY_NOON))];
      },
      stored: 1,
    },
    {
      case: 'two concurrent dry-runs for one group',
      write: async (ledger: DynamoLedger) => Promise.all([ledger.begin(dryRun(WEDNESDAY_NOON)), ledger.begin(dryRun(WEDNESDAY_NOON + 1))]),
      stored: 2,
    },
    {
      case: 'the same dry-run written twice, as a retry would',
      write: async (ledger: DynamoLedger) => [await ledger.begin(dryRun(WEDNESDAY_NOON)), await ledger.begin(dryRun(WEDNESDAY_NOON))],
      stored: 1,
    },
  ])('dry-run records never conflict: $case', async ({ write, stored }) => {
    const ledger = ledgerAt();
    const results = await write(ledger);
    expect(results).toEqual(results.map(() => 'created'));
    expect((await ledger.recordsForGroup('web', WEDNESDAY_NOON)).map((found) => found.phase)).toEqual(Array.from({ length: stored }, () => 'dry-run'));
  });

  it('a different record under a key already taken is a conflict and changes nothing', async () => {
    const ledger = ledgerAt();
    const first = dryRun(WEDNESDAY_NOON);
    expect(await ledger.begin(first)).toBe('created');
    expect(await ledger.begin({ ...first, instanceId: 'i-other' })).toBe('conflict');
    expect(await ledger.recordsForGroup('web', 0)).toStrictEqual([first]);
  });

  it.each([
    {
      case: 'surging stored, moved on as if terminating',
      next: (open: ReplacementRecord) => ({ ...open, phase: 'verified', closedAt: WEDNESDAY_NOON }),
      expected: 'terminating',
    },
    { case: 'surging stored, closed as if terminating', next: (open: ReplacementRecord) => closed(open, 'failed'), expected: 'terminating' },
    {
      case: 'surging stored, moved to terminating as if verified',
      next: (open: ReplacementRecord) => ({ ...open, phase: 'terminating', terminatedAt: WEDNESDAY_NOON }),
      expected: 'verified',
    },
  ] satisfies { case: string; next: (open: ReplacementRecord) => ReplacementRecord; expected: ReplacementPhase }[])(
    'update with the wrong expected phase: conflict and nothing changed ($case)',
    async ({ next, expected }) => {
      const ledger = ledgerAt();
      const open = record({ group: 'web', startedAt: WEDNESDAY_NOON, surge: { fromDesired: 2, toDesired: 3 } });
      await ledger.begin(open);
      const lockBefore = await rawItem('web', 'LOCK');
      expect(await ledger.update(next(open), expected)).toBe('conflict');
      expect(await ledger.recordsForGroup('web', 0)).toStrictEqual([open]);
      expect(await rawItem('web', 'LOCK')).toStrictEqual(lockBefore);
      expect(lockBefore).toBeDefined();
    },
  );

  it('update of a record that was never written is a conflict and writes nothing', async () => {
    const ledger = ledgerAt();
    expect(await ledger.update(record({ group: 'web', startedAt: WEDNESDAY_NOON, phase: 'terminating' }), 'surging')).toBe('conflict');
    expect((await ledger.recordsSince(0)).records).toEqual([]);
  });

  it.each([
    { case: 'both to terminating', a: 'terminating', b: 'terminating' },
    { case: 'terminating against abandoned', a: 'terminating', b: 'abandoned' },
    { case: 'verified against abandoned', a: 'verified', b: 'abandoned' },
  ] as const)('two concurrent updates from surging: exactly one updated ($case)', async ({ a, b }) => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt: WEDNESDAY_NOON });
    await ledger.begin(open);
    const move = (phase: ReplacementPhase, detail: string): ReplacementRecord =>
      phase === 'terminating'
        ? { ...open, phase, terminatedAt: WEDNESDAY_NOON + MINUTE, detail }
        : { ...open, phase, closedAt: WEDNESDAY_NOON + MINUTE, detail };
    const candidates = [move(a, 'tick A'), move(b, 'tick B')];
    const results = await Promise.all(candidates.map((candidate) => ledger.update(candidate, 'surging')));
    expect([...results].sort()).toEqual(['conflict', 'updated']);
    expect(await ledger.recordsForGroup('web', 0)).toStrictEqual([candidates[results.indexOf('updated')]]);
  });

  it('closing removes the lock and the open index entry', async () => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt: WEDNESDAY_NOON - 20 * DAY, phase: 'terminating', terminatedAt: WEDNESDAY_NOON - 20 * DAY });
    await ledger.begin(open);
    expect(await rawItem('web', 'LOCK')).toMatchObject({ recordId: open.id });
    expect((await openIndexItems()).map((item) => item['id'])).toEqual([open.id]);
    expect((await ledger.openRecords()).records.map((stored) => stored.id)).toEqual([open.id]);

    expect(await ledger.update(closed(open, 'verified'), 'terminating')).toBe('updated');
    expect(await rawItem('web', 'LOCK')).toBeUndefined();
    expect(await openIndexItems()).toEqual([]);
    const item = await rawItem('web', recordKey(open));
    expect(item).toMatchObject({ phase: 'verified' });
    expect(item).not.toHaveProperty('open');
    expect(item).not.toHaveProperty('openGroup');
    expect((await ledger.openRecords()).records).toEqual([]);
  });

  it('an undo made again goes ahead only for the run whose claim is still the stored one', async () => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt: WEDNESDAY_NOON, surge: { fromDesired: 2, toDesired: 3 } });
    await ledger.begin(open);
    const claim = { at: WEDNESDAY_NOON + 20 * MINUTE, closeAs: 'abandoned' as const, why: 'braked', quarantine: false };
    const claimed = { ...open, phase: 'undoing' as const, undo: claim };
    expect(await ledger.update(claimed, 'surging')).toBe('updated');
    const again = { ...claimed, undo: { ...claim, at: WEDNESDAY_NOON + 30 * MINUTE } };
    expect(await ledger.update(again, 'undoing', claim)).toBe('updated');
    // An overlapping run that read the first claim: its condition no longer holds.
    expect(await ledger.update({ ...again, undo: { ...claim, at: WEDNESDAY_NOON + 31 * MINUTE } }, 'undoing', claim)).toBe('conflict');
    const api = { ...open, id: 'api#1', group: 'api' };
    const unmade = { ...api, phase: 'undoing' as const, undo: { ...claim, at: undefined } };
    await ledger.begin(api);
    expect(await ledger.update(unmade, 'surging')).toBe('updated');
    expect(await ledger.update({ ...unmade, undo: claim }, 'undoing', unmade.undo)).toBe('updated');
    expect(await ledger.update({ ...unmade, undo: claim }, 'undoing', unmade.undo)).toBe('conflict');
    expect((await ledger.recordsForGroup('web', 0))[0]?.undo?.at).toBe(WEDNESDAY_NOON + 30 * MINUTE);
  });

  it('moving between open phases keeps the lock and the open index entry', async () => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt: WEDNESDAY_NOON, surge: { fromDesired: 2, toDesired: 3 } });
    await ledger.begin(open);
    const terminating: ReplacementRecord = { ...open, phase: 'terminating', terminatedAt: WEDNESDAY_NOON + MINUTE };
    expect(await ledger.update(terminating, 'surging')).toBe('updated');
    expect(await ledger.update(open, 'terminating')).toBe('updated');
    expect(await rawItem('web', 'LOCK')).toMatchObject({ recordId: open.id });
    expect(await openIndexItems()).toMatchObject([{ id: open.id, phase: 'surging', openGroup: 'web' }]);
    expect(await ledger.begin(record({ group: 'web', startedAt: WEDNESDAY_NOON + HOUR }))).toBe('conflict');
  });

  it.each([
    { case: 'the lock is already gone: the record still closes', lockHolder: undefined, result: 'updated' },
    { case: 'another record holds the lock: closing cannot release it', lockHolder: 'web#someone-else', result: 'conflict' },
  ] as const)('closing when $case', async ({ lockHolder, result }) => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt: WEDNESDAY_NOON });
    await ledger.begin(open);
    if (lockHolder === undefined) await documents.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'GROUP#web', sk: 'LOCK' } }));
    else await documents.send(new PutCommand({ TableName: TABLE, Item: { pk: 'GROUP#web', sk: 'LOCK', recordId: lockHolder } }));
    expect(await ledger.update(closed(open, 'verified'), 'surging')).toBe(result);
    expect((await ledger.recordsForGroup('web', 0))[0]?.phase).toBe(result === 'updated' ? 'verified' : 'surging');
    expect((await rawItem('web', 'LOCK'))?.['recordId']).toBe(lockHolder);
  });

  it.each([
    { case: 'the group is free: it takes the lock', otherOpen: false, result: 'updated' },
    { case: 'the group has another open record: conflict', otherOpen: true, result: 'conflict' },
  ] as const)('reopening a closed record when $case', async ({ otherOpen, result }) => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt: WEDNESDAY_NOON - HOUR });
    await ledger.begin(open);
    await ledger.update(closed(open, 'abandoned'), 'surging');
    const other = record({ group: 'web', startedAt: WEDNESDAY_NOON, instanceId: 'i-2' });
    if (otherOpen) await ledger.begin(other);
    expect(await ledger.update(open, 'abandoned')).toBe(result);
    expect(await rawItem('web', 'LOCK')).toMatchObject({ recordId: otherOpen ? other.id : open.id });
    expect((await ledger.recordsForGroup('web', 0))[0]?.phase).toBe(otherOpen ? 'abandoned' : 'surging');
  });

  it('recordsSince returns the records of all groups started since, live and dry-run; openRecords every open one whatever its age', async () => {
    const ledger = ledgerAt();
    const recentWeb = await written(ledger, closed(record({ group: 'web', startedAt: WEDNESDAY_NOON - 6 * DAY }), 'verified'));
    const recentApi = await written(ledger, record({ group: 'api', startedAt: WEDNESDAY_NOON - HOUR }));
    const sinceEdge = await written(ledger, dryRun(WEDNESDAY_NOON - 7 * DAY, 'batch'));
    const oldOpen = await written(
      ledger,
      record({ group: 'stuck', startedAt: WEDNESDAY_NOON - 30 * DAY, phase: 'terminating', terminatedAt: WEDNESDAY_NOON - 30 * DAY }),
    );
    await written(ledger, closed(record({ group: 'web', startedAt: WEDNESDAY_NOON - 8 * DAY }), 'verified'));
    await written(ledger, dryRun(WEDNESDAY_NOON - 7 * DAY - 1, 'batch'));
    // Written by a tick whose clock runs a little ahead, across midnight.
    const ahead = await written(ledger, dryRun(Date.UTC(2026, 10, 19, 0, 0, 5), 'cron'));
    expect((await ledger.recordsSince(WEDNESDAY_NOON - 7 * DAY)).records).toStrictEqual([sinceEdge, recentWeb, recentApi, ahead]);
    expect((await ledger.openRecords()).records).toStrictEqual([oldOpen, recentApi]);
    expect(await ledger.groupRecordsSince(['web', 'stuck'], WEDNESDAY_NOON - 7 * DAY)).toStrictEqual([recentWeb]);
  });

  it('snooze marks: the first mark of a group and time stays, the two Queries of a tick read them with the records, and no record read trips on them', async () => {
    const ledger = ledgerAt();
    const recent = await written(ledger, record({ group: 'web', startedAt: WEDNESDAY_NOON - HOUR }));
    const until = WEDNESDAY_NOON + 6 * HOUR;
    await ledger.markSnooze({ group: 'web', until, seenAt: WEDNESDAY_NOON - 30 * MINUTE });
    // An overlapping tick that saw the same value a moment later leaves the first sighting alone.
    await ledger.markSnooze({ group: 'web', until, seenAt: WEDNESDAY_NOON - 20 * MINUTE });
    await ledger.markSnooze({ group: 'api', until: WEDNESDAY_NOON + HOUR, seenAt: WEDNESDAY_NOON - 8 * DAY });
    expect(await rawItem('web', `SNOOZE#${new Date(until).toISOString()}`)).toMatchObject({ kind: 'snooze', startedAt: WEDNESDAY_NOON - 30 * MINUTE });
    expect(await ledger.recordsSince(WEDNESDAY_NOON - 7 * DAY)).toStrictEqual({
      records: [recent],
      blocks: [],
      releases: [],
      snoozes: [{ group: 'web', until, seenAt: WEDNESDAY_NOON - 30 * MINUTE }],
    });
    expect(await ledger.recordsBetween(WEDNESDAY_NOON - 9 * DAY, WEDNESDAY_NOON + DAY)).toStrictEqual([recent]);
    expect(await ledger.recordsForGroup('web', 0)).toStrictEqual([recent]);
    expect(await ledger.openRecords()).toStrictEqual({ records: [recent], blocks: [], releases: [], snoozes: [] });
    expect(await ledger.snoozesBetween(WEDNESDAY_NOON - 9 * DAY, WEDNESDAY_NOON + DAY)).toStrictEqual([
      { group: 'api', until: WEDNESDAY_NOON + HOUR, seenAt: WEDNESDAY_NOON - 8 * DAY },
      { group: 'web', until, seenAt: WEDNESDAY_NOON - 30 * MINUTE },
    ]);
  });

  it('recordsForGroup returns that group from `since` on, and never the lock', async () => {
    const ledger = ledgerAt();
    await written(ledger, closed(record({ group: 'web', startedAt: WEDNESDAY_NOON - 3 * DAY - 1 }), 'verified'));
    const atSince = await written(ledger, closed(record({ group: 'web', startedAt: WEDNESDAY_NOON - 3 * DAY }), 'failed'));
    const open = await written(ledger, record({ group: 'web', startedAt: WEDNESDAY_NOON }));
    await written(ledger, record({ group: 'web-2', startedAt: WEDNESDAY_NOON }));
    await written(ledger, dryRun(WEDNESDAY_NOON, 'we'));
    expect(await ledger.recordsForGroup('web', WEDNESDAY_NOON - 3 * DAY)).toStrictEqual([atSince, open]);
    expect(await ledger.recordsForGroup('nobody', 0)).toEqual([]);
  });

  it('recordsBetween covers a week across its boundaries: from inclusive, to exclusive', async () => {
    const monday = Date.UTC(2026, 10, 16);
    const nextMonday = monday + 7 * DAY;
    const ledger = ledgerAt(nextMonday + 9 * HOUR);
    const before = await written(ledger, dryRun(monday - 1, 'web'));
    const first = await written(ledger, dryRun(monday, 'web'));
    const middle = await written(ledger, closed(record({ group: 'api', startedAt: monday + 3 * DAY + 5 * HOUR }), 'verified'));
    const last = await written(ledger, dryRun(nextMonday - 1, 'batch'));
    const after = await written(ledger, dryRun(nextMonday, 'web'));
    expect(await ledger.recordsBetween(monday, nextMonday)).toStrictEqual([first, middle, last]);
    expect(await ledger.recordsBetween(monday - 7 * DAY, monday)).toStrictEqual([before]);
    expect(await ledger.recordsBetween(nextMonday, nextMonday + 7 * DAY)).toStrictEqual([after]);
  });

  it('expired records stay out of day reads: nothing older than the 90-day retention is read', async () => {
    const ledger = ledgerAt();
    const kept = await written(ledger, dryRun(WEDNESDAY_NOON - 89 * DAY, 'web'));
    await written(ledger, dryRun(WEDNESDAY_NOON - 91 * DAY, 'web'));
    expect(await ledger.recordsBetween(WEDNESDAY_NOON - 120 * DAY, WEDNESDAY_NOON)).toStrictEqual([kept]);
  });

  it('tick summaries are read within the same retention: a read from the epoch costs no more Queries than 90 days', async () => {
    const ledger = ledgerAt();
    await ledger.recordTick({ at: WEDNESDAY_NOON - 89 * DAY, blocked: undefined, skips: { web: 'outside-window' } });
    await ledger.recordTick({ at: WEDNESDAY_NOON - 91 * DAY, blocked: undefined, skips: { web: 'outside-window' } });
    let queries = 0;
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        queries += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    expect((await ledger.ticksBetween(0, WEDNESDAY_NOON)).map((tick) => tick.at)).toEqual([WEDNESDAY_NOON - 89 * DAY]);
    expect(queries).toBe(91);
  });

  it.each([
    { case: 'startedAt on a whole second', startedAt: WEDNESDAY_NOON },
    { case: 'startedAt with milliseconds (rounded down)', startedAt: WEDNESDAY_NOON + 999 },
  ])('expiresAt is startedAt in epoch seconds plus 90 days, on the record and its lock: $case', async ({ startedAt }) => {
    const ledger = ledgerAt();
    const open = record({ group: 'web', startedAt });
    await ledger.begin(open);
    const expected = WEDNESDAY_NOON / 1000 + 90 * 86_400;
    expect((await rawItem('web', recordKey(open)))?.[LEDGER_TTL_ATTRIBUTE]).toBe(expected);
    expect((await rawItem('web', 'LOCK'))?.[LEDGER_TTL_ATTRIBUTE]).toBe(expected);
  });

  describe('pagination: 60 records of ~20 KB exceed one 1 MB Query page', () => {
    const PADDING = 'x'.repeat(20_000);
    it.each([
      {
        case: 'byDay index (recordsBetween)',
        seed: (index: number) => dryRun(WEDNESDAY_NOON + index, 'web', PADDING),
        read: (ledger: DynamoLedger) => ledger.recordsBetween(WEDNESDAY_NOON, WEDNESDAY_NOON + HOUR),
        raw: {
          IndexName: LEDGER_INDEX.byDay,
          KeyConditionExpression: '#k = :v',
          ExpressionAttributeNames: { '#k': 'day' },
          ExpressionAttributeValues: { ':v': '2026-11-18' },
        },
      },
      {
        case: 'open index (openRecords, open records weeks old)',
        seed: (index: number) => ({ ...record({ group: `group-${String(index).padStart(2, '0')}`, startedAt: WEDNESDAY_NOON - 30 * DAY }), detail: PADDING }),
        read: async (ledger: DynamoLedger) => (await ledger.openRecords()).records,
        raw: {
          IndexName: LEDGER_INDEX.open,
          KeyConditionExpression: '#k = :v',
          ExpressionAttributeNames: { '#k': 'open' },
          ExpressionAttributeValues: { ':v': 'OPEN' },
        },
      },
      {
        case: 'byStart index (recordsSince)',
        seed: (index: number) => ({
          ...record({ group: `group-${String(index).padStart(2, '0')}`, startedAt: WEDNESDAY_NOON - index * HOUR }),
          detail: PADDING,
        }),
        read: async (ledger: DynamoLedger) => (await ledger.recordsSince(WEDNESDAY_NOON - 7 * DAY)).records,
        raw: {
          IndexName: LEDGER_INDEX.byStart,
          KeyConditionExpression: '#k = :v',
          ExpressionAttributeNames: { '#k': 'mode' },
          ExpressionAttributeValues: { ':v': 'live' },
        },
      },
      {
        case: "a group's partition (recordsForGroup)",
        seed: (index: number) => dryRun(WEDNESDAY_NOON - index * HOUR, 'web', PADDING),
        read: (ledger: DynamoLedger) => ledger.recordsForGroup('web', WEDNESDAY_NOON - 7 * DAY),
        raw: { KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': 'pk' }, ExpressionAttributeValues: { ':v': 'GROUP#web' } },
      },
    ])('$case', async ({ seed, read, raw }) => {
      const ledger = ledgerAt();
      const seeded = Array.from({ length: 60 }, (_, index) => seed(index));
      for (const stored of seeded) expect(await ledger.begin(stored)).toBe('created');
      const firstPage = await documents.send(new QueryCommand({ TableName: TABLE, ...raw }));
      expect(firstPage.LastEvaluatedKey).toBeDefined();
      expect(firstPage.Items?.length).toBeLessThan(60);
      const found = await read(ledger);
      expect(found.map((stored) => stored.id).sort()).toEqual(seeded.map((stored) => stored.id).sort());
    });
  });

  it('a malformed stored item fails the read with an error naming its key', async () => {
    const ledger = ledgerAt();
    await documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: 'GROUP#web',
          sk: 'REC#bad',
          day: '2026-11-18',
          startedAt: WEDNESDAY_NOON,
          id: 'bad',
          group: 'web',
          instanceId: 'i-1',
          reason: 'boredom',
          mode: 'live',
          phase: 'verified',
        },
      }),
    );
    await expect(ledger.recordsSince(WEDNESDAY_NOON - DAY)).rejects.toThrow(/pk="GROUP#web" sk="REC#bad".*reason must be one of/);
  });
});

function dryRun(startedAt: Millis, group = 'web', detail = 'would recycle i-1'): ReplacementRecord {
  return record({ group, startedAt, mode: 'dry-run', phase: 'dry-run', closedAt: startedAt, detail });
}

async function written(ledger: DynamoLedger, stored: ReplacementRecord): Promise<ReplacementRecord> {
  expect(await ledger.begin(stored)).toBe('created');
  return stored;
}

describe('DynamoLedger advance notice claims', () => {
  it('of the deliveries of one schedule event one claims its notices; the claim expires and no read finds it', async () => {
    const ledger = ledgerAt();
    expect(await ledger.claimNotices(WEDNESDAY_NOON)).toBe('claimed');
    expect(await ledgerAt().claimNotices(WEDNESDAY_NOON)).toBe('conflict');
    expect(await ledger.claimNotices(WEDNESDAY_NOON + 10 * MINUTE)).toBe('claimed');
    const stored = await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: `NOTICES#${new Date(WEDNESDAY_NOON).toISOString()}`, sk: 'CLAIM' } }));
    expect(stored.Item).toEqual({ pk: 'NOTICES#2026-11-18T12:00:00.000Z', sk: 'CLAIM', expiresAt: WEDNESDAY_NOON / 1000 + 2 * 86_400 });
    expect(await ledger.recordsSince(WEDNESDAY_NOON - DAY)).toStrictEqual({ records: [], blocks: [], releases: [], snoozes: [] });
    expect(await ledger.ticksBetween(WEDNESDAY_NOON - DAY, WEDNESDAY_NOON + DAY)).toEqual([]);
  });
});

describe('DynamoLedger tick summaries', () => {
  it('a tick over 2,500 groups is split into parts and read back as one summary, blocked reason included', async () => {
    const skips = Object.fromEntries(Array.from({ length: 2_500 }, (_, n) => [`group-${n}`, n % 2 === 0 ? 'outside-window' : 'no-candidate'] as const));
    await ledgerAt().recordTick({ at: WEDNESDAY_NOON, blocked: 'stop-alarm', skips });
    const parts = await documents.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'TICK#2026-11-18' } }),
    );
    expect(parts.Items).toHaveLength(3);
    expect(await ledgerAt().ticksBetween(WEDNESDAY_NOON, WEDNESDAY_NOON + 1)).toEqual([{ at: WEDNESDAY_NOON, blocked: 'stop-alarm', skips }]);
  });

  it('ticksBetween reads [from, to) across day buckets, in time order, and tick items never read as records', async () => {
    const ledger = ledgerAt();
    const times = [WEDNESDAY_NOON - DAY - HOUR, WEDNESDAY_NOON - HOUR, WEDNESDAY_NOON, WEDNESDAY_NOON + HOUR];
    for (const at of times) await ledger.recordTick({ at, blocked: undefined, skips: { web: 'budget-spent' } });
    expect((await ledger.ticksBetween(WEDNESDAY_NOON - 2 * DAY, WEDNESDAY_NOON)).map((tick) => tick.at)).toEqual([
      WEDNESDAY_NOON - DAY - HOUR,
      WEDNESDAY_NOON - HOUR,
    ]);
    expect((await ledger.ticksBetween(WEDNESDAY_NOON, WEDNESDAY_NOON + DAY)).map((tick) => tick.at)).toEqual([WEDNESDAY_NOON, WEDNESDAY_NOON + HOUR]);
    expect((await ledger.recordsSince(WEDNESDAY_NOON - 2 * DAY)).records).toEqual([]);
    expect(await ledger.recordsBetween(WEDNESDAY_NOON - 2 * DAY, WEDNESDAY_NOON + DAY)).toEqual([]);
  });

  it('a stored summary with an unknown skip reason is reported, not guessed', async () => {
    await documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: 'TICK#2026-11-18', sk: `${new Date(WEDNESDAY_NOON).toISOString()}#0`, at: WEDNESDAY_NOON, skips: { web: 'bored' } },
      }),
    );
    await expect(ledgerAt().ticksBetween(WEDNESDAY_NOON, WEDNESDAY_NOON + 1)).rejects.toThrow(
      /malformed tick summary .*skips\.web must be one of bad-tags, .*got "bored"/,
    );
  });
});
