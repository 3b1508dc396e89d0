import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { DAY, OPEN_PHASES, RECYCLE_REASONS, isOpen } from '../core/model.js';
import type { Millis, RecycleReason, ReplacementPhase, ReplacementRecord } from '../core/model.js';
import type { BeginResult, LedgerHistory, LedgerPort, UpdateResult } from '../core/ports.js';
import { SKIP_REASONS } from '../core/decision.js';
import type { SkipReason } from '../core/decision.js';
import type { GlobalBlockReason } from '../core/global-gate.js';
import type { TickSummary } from '../core/tick-summary.js';
import { LEDGER_INDEX, LEDGER_KEY, LEDGER_RETENTION_DAYS, LEDGER_TTL_ATTRIBUTE } from './ledger-table.js';

/**
 * Item layout, one table:
 * - a record: pk `GROUP#<group>`, sk `REC#<startedAt ISO>#<id>`, the record's fields, `day` and
 *   `expiresAt`; while open also `open = 'OPEN'` and `openGroup`, so the open index holds only open records;
 * - a group's lock: pk `GROUP#<group>`, sk `LOCK`, `recordId`; it exists exactly while the group has an
 *   open record, and is what makes two overlapping ticks unable to both start a replacement there.
 * - a tick summary: pk `TICK#<YYYY-MM-DD of at>`, sk `<at ISO>#<part>`, `at`, `blocked`, `skips` (group
 *   → reason) and `expiresAt`; a tick over many groups is split into parts so no item nears 400 KB.
 * A record's group, id and startedAt locate its item, so they never change once written.
 */

export interface DynamoLedgerOptions {
  /** A plain client is wrapped in a DocumentClient; the caller configures retries (clientConfig). */
  readonly client: DynamoDBDocumentClient | DynamoDBClient;
  readonly tableName: string;
  /**
   * Epoch milliseconds now. Bounds the day buckets a read visits: up to tomorrow's (a tick whose clock
   * runs ahead may have written there) and back no further than the retention, which TTL empties.
   */
  readonly clock: () => Millis;
}

/** A stored item that is not a record this adapter wrote; names the item and every problem found. */
export class LedgerItemError extends Error {
  override readonly name = 'LedgerItemError';
}

const PHASES: readonly ReplacementPhase[] = ['surging', 'terminating', 'verified', 'failed', 'abandoned', 'dry-run'];
const MODES: readonly ReplacementRecord['mode'][] = ['live', 'dry-run'];
const LOCK_SORT_KEY = 'LOCK';
const OPEN_MARKER = 'OPEN';
/** toISOString is fixed-width, hence sorts like time, only for years 1970 to 9999. */
const LATEST: Millis = Date.UTC(10000, 0, 1);

type Item = Record<string, string | number | { readonly fromDesired: number; readonly toDesired: number }>;
type StoredItem = Readonly<Record<string, unknown>>;

/**
 * The replacement ledger in DynamoDB. Every write is conditional and decides alone; reads through the
 * indexes are eventually consistent, which is safe because a stale read only leads to a write whose
 * condition then fails. Reads return records by start time, then id.
 */
export class DynamoLedger implements LedgerPort, LedgerHistory {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: () => Millis;

  constructor(options: DynamoLedgerOptions) {
    this.client = options.client instanceof DynamoDBDocumentClient ? options.client : DynamoDBDocumentClient.from(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock;
  }

  async recordsSince(since: Millis): Promise<ReplacementRecord[]> {
    const [recent, open] = await Promise.all([this.startedBetween(since, Infinity), this.openRecords()]);
    // The recent copy wins: a record closes far more often than it reopens, and either index may lag.
    const byId = new Map(recent.map((record) => [record.id, record]));
    for (const record of open) if (!byId.has(record.id)) byId.set(record.id, record);
    return sortByStart([...byId.values()]);
  }

  /** One group's records started at or after `since`, read consistently from the table itself. */
  async recordsForGroup(group: string, since: Millis): Promise<ReplacementRecord[]> {
    return this.queryAll({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition, '#sk': LEDGER_KEY.sort },
      // 'REC$' is the first string after every 'REC#...', and the lock's 'LOCK' sorts before them all.
      ExpressionAttributeValues: { ':pk': partitionKey(group), ':from': `REC#${new Date(queryBound(since, 'since')).toISOString()}`, ':to': 'REC$' },
      ConsistentRead: true,
    });
  }

  /** Every group's records started in [from, to): a report's week. */
  async recordsBetween(from: Millis, to: Millis): Promise<ReplacementRecord[]> {
    return sortByStart(await this.startedBetween(from, to));
  }

  async recordTick(summary: TickSummary): Promise<void> {
    const at = queryBound(summary.at, 'at');
    const skips = Object.entries(summary.skips);
    const parts = Math.max(1, Math.ceil(skips.length / GROUPS_PER_TICK_ITEM));
    const writes: Promise<unknown>[] = [];
    for (let part = 0; part < parts; part += 1) {
      const item: Record<string, unknown> = {
        [LEDGER_KEY.partition]: tickPartitionKey(at),
        [LEDGER_KEY.sort]: `${new Date(at).toISOString()}#${part}`,
        at,
        skips: Object.fromEntries(skips.slice(part * GROUPS_PER_TICK_ITEM, (part + 1) * GROUPS_PER_TICK_ITEM)),
        [LEDGER_TTL_ATTRIBUTE]: expiresAt(at),
      };
      if (summary.blocked !== undefined) item['blocked'] = summary.blocked;
      writes.push(this.client.send(new PutCommand({ TableName: this.tableName, Item: item })));
    }
    await Promise.all(writes);
  }

  /** One Query per UTC day; the parts of one tick are merged back into one summary. */
  async ticksBetween(from: Millis, to: Millis): Promise<TickSummary[]> {
    const low = queryBound(from, 'from');
    const high = queryBound(to, 'to') - 1;
    const queries: Promise<StoredItem[]>[] = [];
    for (let day = Math.floor(low / DAY); day * DAY <= high; day += 1) {
      queries.push(
        this.queryItems({
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition, '#sk': LEDGER_KEY.sort },
          // '$' sorts after '#': the upper bound takes every part of the tick at `high`.
          ExpressionAttributeValues: { ':pk': tickPartitionKey(day * DAY), ':from': new Date(Math.max(low, day * DAY)).toISOString(), ':to': `${new Date(Math.min(high, (day + 1) * DAY - 1)).toISOString()}$` },
        }),
      );
    }
    const byTime = new Map<Millis, TickSummary>();
    for (const item of (await Promise.all(queries)).flat()) {
      const part = tickFromItem(item);
      const earlier = byTime.get(part.at);
      byTime.set(part.at, earlier === undefined ? part : { ...earlier, skips: { ...earlier.skips, ...part.skips } });
    }
    return [...byTime.values()].sort((a, b) => a.at - b.at);
  }

  async begin(record: ReplacementRecord): Promise<BeginResult> {
    const item = toItem(record);
    const put = { TableName: this.tableName, Item: item, ...absent() };
    if (!isOpen(record)) {
      try {
        await this.client.send(new PutCommand(put));
        return 'created';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // A retried write that had landed finds its own item: still created. Anything else holds the key.
        return (await this.storedItemEquals(item)) ? 'created' : 'conflict';
      }
    }
    return this.conditionally(() =>
      this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: this.takeLock(record) }, { Put: put }] })),
    ).then((written) => (written ? 'created' : 'conflict'));
  }

  async update(record: ReplacementRecord, expectedPhase: ReplacementPhase): Promise<UpdateResult> {
    const put = {
      TableName: this.tableName,
      Item: toItem(record),
      ConditionExpression: '#phase = :expected',
      ExpressionAttributeNames: { '#phase': 'phase' },
      ExpressionAttributeValues: { ':expected': expectedPhase },
    };
    const wasOpen = OPEN_PHASES.includes(expectedPhase);
    const written = await this.conditionally(() => {
      if (wasOpen === isOpen(record)) return this.client.send(new PutCommand(put));
      const lock = wasOpen ? { Delete: this.releaseLock(record) } : { Put: this.takeLock(record) };
      return this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, lock] }));
    });
    return written ? 'updated' : 'conflict';
  }

  /** Runs a conditional write: false when a condition failed, any other error propagates. */
  private async conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  private takeLock(record: ReplacementRecord) {
    return {
      TableName: this.tableName,
      // Expires with its record: should TTL ever delete an open record, its group is not locked forever.
      Item: { [LEDGER_KEY.partition]: partitionKey(record.group), [LEDGER_KEY.sort]: LOCK_SORT_KEY, recordId: record.id, [LEDGER_TTL_ATTRIBUTE]: expiresAt(record.startedAt) },
      ...absent(),
    };
  }

  private releaseLock(record: ReplacementRecord) {
    return {
      TableName: this.tableName,
      Key: { [LEDGER_KEY.partition]: partitionKey(record.group), [LEDGER_KEY.sort]: LOCK_SORT_KEY },
      // Never another record's lock; a lock already gone (expired, or removed by an operator) must not
      // keep the record open forever.
      ConditionExpression: 'attribute_not_exists(#pk) OR recordId = :id',
      ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition },
      ExpressionAttributeValues: { ':id': record.id },
    };
  }

  private async storedItemEquals(item: Item): Promise<boolean> {
    const stored = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { [LEDGER_KEY.partition]: item[LEDGER_KEY.partition], [LEDGER_KEY.sort]: item[LEDGER_KEY.sort] }, ConsistentRead: true }),
    );
    return stored.Item !== undefined && canonical(stored.Item) === canonical(item);
  }

  private async openRecords(): Promise<ReplacementRecord[]> {
    return this.queryAll({
      IndexName: LEDGER_INDEX.open,
      KeyConditionExpression: '#open = :open',
      ExpressionAttributeNames: { '#open': LEDGER_KEY.open },
      ExpressionAttributeValues: { ':open': OPEN_MARKER },
    });
  }

  /** One Query per UTC day bucket, in parallel; records started in [from, to) within the buckets worth reading. */
  private async startedBetween(from: Millis, to: Millis): Promise<ReplacementRecord[]> {
    const now = this.clock();
    const low = Math.max(queryBound(from, 'from'), now - LEDGER_RETENTION_DAYS * DAY);
    const high = Math.min(queryBound(to, 'to'), (Math.floor(now / DAY) + 2) * DAY) - 1;
    if (high < low) return [];
    const queries: Promise<ReplacementRecord[]>[] = [];
    for (let day = Math.floor(low / DAY); day * DAY <= high; day += 1) {
      queries.push(
        this.queryAll({
          IndexName: LEDGER_INDEX.byDay,
          KeyConditionExpression: '#day = :day AND #startedAt BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#day': LEDGER_KEY.day, '#startedAt': LEDGER_KEY.startedAt },
          ExpressionAttributeValues: { ':day': dayBucket(day * DAY), ':from': Math.max(low, day * DAY), ':to': Math.min(high, (day + 1) * DAY - 1) },
        }),
      );
    }
    return (await Promise.all(queries)).flat();
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<ReplacementRecord[]> {
    return (await this.queryItems(input)).map(recordFromItem);
  }

  private async queryItems(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }
}

function absent() {
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition } };
}

function conditionFailed(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  // A transaction fails as a whole; one failed condition among its reasons means it could not have applied.
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}

function partitionKey(group: string): string {
  return `GROUP#${group}`;
}

function recordSortKey(startedAt: Millis, id: string): string {
  return `REC#${new Date(startedAt).toISOString()}#${id}`;
}

/** Group names are at most 255 characters: 1,000 of them with a reason stay well under DynamoDB's 400 KB item limit. */
const GROUPS_PER_TICK_ITEM = 1_000;
const BLOCK_REASONS: readonly GlobalBlockReason[] = ['mode-off', 'blackout', 'stop-alarm'];

function tickPartitionKey(at: Millis): string {
  return `TICK#${dayBucket(at)}`;
}

function tickFromItem(item: StoredItem): TickSummary {
  const read = new FieldReader(item);
  const at = read.number('at');
  const blocked = item['blocked'] === undefined ? undefined : read.oneOf<GlobalBlockReason>('blocked', BLOCK_REASONS);
  const skips: Record<string, SkipReason> = {};
  const stored = item['skips'];
  if (stored !== null && typeof stored === 'object') {
    const reasons = new FieldReader(stored as StoredItem);
    for (const group of Object.keys(stored)) skips[group] = reasons.oneOf<SkipReason>(group, SKIP_REASONS);
    read.problems.push(...reasons.problems.map((problem) => `skips.${problem}`));
  } else {
    read.problems.push(`skips must be a map, got ${describe(stored)}`);
  }
  if (read.problems.length > 0) {
    throw new LedgerItemError(`malformed tick summary pk=${describe(item[LEDGER_KEY.partition])} sk=${describe(item[LEDGER_KEY.sort])}: ${read.problems.join('; ')}`);
  }
  return { at, blocked, skips };
}

function dayBucket(at: Millis): string {
  return new Date(at).toISOString().slice(0, 10);
}

function expiresAt(startedAt: Millis): number {
  return Math.floor(startedAt / 1000) + LEDGER_RETENTION_DAYS * 86_400;
}

/** A caller's time bound as a whole millisecond inside the range the sort keys can express. */
function queryBound(at: Millis, name: string): Millis {
  if (Number.isNaN(at)) throw new RangeError(`${name} must be epoch milliseconds, got NaN`);
  return Math.min(Math.max(Math.ceil(at), 0), LATEST - 1);
}

function toItem(record: ReplacementRecord): Item {
  if (!Number.isSafeInteger(record.startedAt) || record.startedAt < 0 || record.startedAt >= LATEST) {
    throw new RangeError(`record ${record.id}: startedAt must be whole epoch milliseconds in years 1970 to 9999, got ${record.startedAt}`);
  }
  const item: Item = {
    [LEDGER_KEY.partition]: partitionKey(record.group),
    [LEDGER_KEY.sort]: recordSortKey(record.startedAt, record.id),
    [LEDGER_KEY.day]: dayBucket(record.startedAt),
    [LEDGER_TTL_ATTRIBUTE]: expiresAt(record.startedAt),
    id: record.id,
    group: record.group,
    instanceId: record.instanceId,
    reason: record.reason,
    mode: record.mode,
    startedAt: record.startedAt,
    phase: record.phase,
  };
  if (record.instanceAgeSeconds !== undefined) item['instanceAgeSeconds'] = record.instanceAgeSeconds;
  if (record.surge !== undefined) item['surge'] = { fromDesired: record.surge.fromDesired, toDesired: record.surge.toDesired };
  if (record.terminatedAt !== undefined) item['terminatedAt'] = record.terminatedAt;
  if (record.touchedAt !== undefined) item['touchedAt'] = record.touchedAt;
  if (record.closedAt !== undefined) item['closedAt'] = record.closedAt;
  if (record.detail !== undefined) item['detail'] = record.detail;
  if (isOpen(record)) {
    item[LEDGER_KEY.open] = OPEN_MARKER;
    item[LEDGER_KEY.openGroup] = record.group;
  }
  return item;
}

/** Reads a stored item back, checking every field rather than trusting the table. */
function recordFromItem(item: StoredItem): ReplacementRecord {
  const read = new FieldReader(item);
  const surge = read.optionalSurge();
  const terminatedAt = read.optionalNumber('terminatedAt');
  const touchedAt = read.optionalNumber('touchedAt');
  const closedAt = read.optionalNumber('closedAt');
  const detail = read.optionalString('detail');
  const record: ReplacementRecord = {
    id: read.string('id'),
    group: read.string('group'),
    instanceId: read.string('instanceId'),
    reason: read.oneOf<RecycleReason>('reason', RECYCLE_REASONS),
    mode: read.oneOf('mode', MODES),
    instanceAgeSeconds: read.optionalNumber('instanceAgeSeconds'),
    startedAt: read.number('startedAt'),
    phase: read.oneOf('phase', PHASES),
    ...(surge === undefined ? {} : { surge }),
    ...(terminatedAt === undefined ? {} : { terminatedAt }),
    ...(touchedAt === undefined ? {} : { touchedAt }),
    ...(closedAt === undefined ? {} : { closedAt }),
    ...(detail === undefined ? {} : { detail }),
  };
  if (read.problems.length === 0) {
    // The key is recomputed from these fields to update the item, so they must agree with it.
    if (item[LEDGER_KEY.partition] !== partitionKey(record.group)) read.problems.push(`pk does not match group ${JSON.stringify(record.group)}`);
    if (Number.isSafeInteger(record.startedAt) && record.startedAt >= 0 && record.startedAt < LATEST) {
      if (item[LEDGER_KEY.sort] !== recordSortKey(record.startedAt, record.id)) read.problems.push('sk does not match startedAt and id');
    } else {
      read.problems.push(`startedAt must be whole epoch milliseconds in years 1970 to 9999, got ${record.startedAt}`);
    }
  }
  if (read.problems.length > 0) {
    throw new LedgerItemError(`malformed ledger item pk=${describe(item[LEDGER_KEY.partition])} sk=${describe(item[LEDGER_KEY.sort])}: ${read.problems.join('; ')}`);
  }
  return record;
}

class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly item: StoredItem) {}

  string(name: string): string {
    const value = this.item[name];
    if (typeof value === 'string') return value;
    this.problems.push(`${name} must be a string, got ${describe(value)}`);
    return '';
  }

  optionalString(name: string): string | undefined {
    return this.item[name] === undefined ? undefined : this.string(name);
  }

  number(name: string): number {
    const value = this.item[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.problems.push(`${name} must be a number, got ${describe(value)}`);
    return 0;
  }

  optionalNumber(name: string): number | undefined {
    return this.item[name] === undefined ? undefined : this.number(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.item[name];
    const known = allowed.find((candidate) => candidate === value);
    if (known !== undefined) return known;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    // A placeholder only: a reader with problems makes recordFromItem throw.
    return allowed[0] as T;
  }

  optionalSurge(): ReplacementRecord['surge'] {
    const value = this.item['surge'];
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object') {
      this.problems.push(`surge must be a map, got ${describe(value)}`);
      return undefined;
    }
    const surge = new FieldReader(value as StoredItem);
    const result = { fromDesired: surge.number('fromDesired'), toDesired: surge.number('toDesired') };
    this.problems.push(...surge.problems.map((problem) => `surge.${problem}`));
    return result;
  }
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}

/** The same attributes with the same values, whatever their order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function sortByStart(records: ReplacementRecord[]): ReplacementRecord[] {
  return records.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
