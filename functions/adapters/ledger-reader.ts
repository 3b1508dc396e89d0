import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { VersionBlock, VersionReleaseNotice } from '../core/decide/versions.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import { DAY } from '../core/model.js';
import type { SnoozeMark } from '../core/policy/snooze.js';
import type { LedgerHistory, LedgerRead } from '../core/ports.js';
import type { TickSummary } from '../core/report/tick-summary.js';
import type { StoredItem } from './ledger-items.js';
import { dayBucket, MODES, OPEN_MARKER, partitionKey, queryBound, recordFromItem, sortByStart, tickFromItem, tickPartitionKey } from './ledger-items.js';
import { isSnoozeItem, snoozeFromItem } from './ledger-snoozes.js';
import { LEDGER_INDEX, LEDGER_KEY, LEDGER_RETENTION_DAYS } from './ledger-table.js';
import { blockOrRelease, isVersionItem } from './ledger-versions.js';

/** A run's read: records, version items (blocks, releases to announce) and snooze marks, told apart by their keys. */
function ledgerRead(items: readonly StoredItem[]): LedgerRead {
  const records: ReplacementRecord[] = [];
  const blocks: VersionBlock[] = [];
  const releases: VersionReleaseNotice[] = [];
  const snoozes: SnoozeMark[] = [];
  for (const item of items) {
    if (isSnoozeItem(item)) {
      const mark = snoozeFromItem(item);
      if (mark !== undefined) snoozes.push(mark);
    } else if (isVersionItem(item)) {
      const version = blockOrRelease(item);
      if ('block' in version) blocks.push(version.block);
      else releases.push(version.release);
    } else {
      records.push(recordFromItem(item));
    }
  }
  return { records: sortByStart(records), blocks, releases, snoozes };
}

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

/**
 * The ledger's reads: Queries only, so a function that only reads it (the reporter) is built and
 * granted without any write. Reads through the indexes are eventually consistent; records come back
 * by start time, then id.
 */
export class DynamoLedgerReader implements LedgerHistory {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;
  private readonly clock: () => Millis;

  constructor(options: DynamoLedgerOptions) {
    this.client = options.client instanceof DynamoDBDocumentClient ? options.client : DynamoDBDocumentClient.from(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock;
  }

  /**
   * One Query a mode over the byStart index: a tick's read costs two requests however many days it
   * spans. A blocked version's item sorts after every record there, and the snooze marks carry the
   * index's attributes, so both come in the same read.
   */
  async recordsSince(since: Millis): Promise<LedgerRead> {
    const from = queryBound(since, 'since');
    const modes = await Promise.all(
      MODES.map((mode) =>
        this.queryItems({
          IndexName: LEDGER_INDEX.byStart,
          KeyConditionExpression: '#mode = :mode AND #startedAt >= :from',
          ExpressionAttributeNames: { '#mode': LEDGER_KEY.mode, '#startedAt': LEDGER_KEY.startedAt },
          ExpressionAttributeValues: { ':mode': mode, ':from': from },
        }),
      ),
    );
    return ledgerRead(modes.flat());
  }

  /** Every open record, whatever its age, and the blocked versions: one Query of the sparse open index. */
  async openRecords(): Promise<LedgerRead> {
    return ledgerRead(
      await this.queryItems({
        IndexName: LEDGER_INDEX.open,
        KeyConditionExpression: '#open = :open',
        ExpressionAttributeNames: { '#open': LEDGER_KEY.open },
        ExpressionAttributeValues: { ':open': OPEN_MARKER },
      }),
    );
  }

  /** The versions blocked now: the open index holds them, one Query (the report's, once a week). */
  async versionBlocks(): Promise<VersionBlock[]> {
    return (await this.openRecords()).blocks;
  }

  /** The named groups' records started at or after `since`, read consistently: one Query a group. */
  async groupRecordsSince(groups: readonly string[], since: Millis): Promise<ReplacementRecord[]> {
    const perGroup = await Promise.all([...new Set(groups)].map((group) => this.recordsForGroup(group, since)));
    return sortByStart(perGroup.flat());
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
    return sortByStart((await this.startedBetween(from, to)).filter((item) => !isSnoozeItem(item)).map(recordFromItem));
  }

  /** The snoozes first seen in [from, to): the same day Queries as records, their snooze items. */
  async snoozesBetween(from: Millis, to: Millis): Promise<SnoozeMark[]> {
    return (await this.startedBetween(from, to)).filter(isSnoozeItem).flatMap((item) => snoozeFromItem(item) ?? []);
  }

  async ticksBetween(from: Millis, to: Millis): Promise<TickSummary[]> {
    const queries = this.daysBetween(from, to).map(({ day, first, last }) =>
      this.queryItems({
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition, '#sk': LEDGER_KEY.sort },
        // '$' sorts after '#': the upper bound takes every part of the tick at `last`.
        ExpressionAttributeValues: { ':pk': tickPartitionKey(day), ':from': new Date(first).toISOString(), ':to': `${new Date(last).toISOString()}$` },
      }),
    );
    const byTime = new Map<Millis, TickSummary>();
    for (const item of (await Promise.all(queries)).flat()) {
      const part = tickFromItem(item);
      const earlier = byTime.get(part.at);
      byTime.set(part.at, earlier === undefined ? part : { ...earlier, skips: { ...earlier.skips, ...part.skips } });
    }
    return [...byTime.values()].sort((a, b) => a.at - b.at);
  }

  /** One Query per UTC day bucket, in parallel; items started in [from, to) within the buckets worth reading. */
  private async startedBetween(from: Millis, to: Millis): Promise<StoredItem[]> {
    const queries = this.daysBetween(from, to).map(({ day, first, last }) =>
      this.queryItems({
        IndexName: LEDGER_INDEX.byDay,
        KeyConditionExpression: '#day = :day AND #startedAt BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#day': LEDGER_KEY.day, '#startedAt': LEDGER_KEY.startedAt },
        ExpressionAttributeValues: { ':day': dayBucket(day), ':from': first, ':to': last },
      }),
    );
    return (await Promise.all(queries)).flat();
  }

  /**
   * The UTC days a read of [from, to) visits (one Query each), with the first and last millisecond
   * of the range inside each: back no further than the retention, which TTL empties, and up to
   * tomorrow, where a tick whose clock runs ahead may have written.
   */
  private daysBetween(from: Millis, to: Millis): { readonly day: Millis; readonly first: Millis; readonly last: Millis }[] {
    const now = this.clock();
    const low = Math.max(queryBound(from, 'from'), now - LEDGER_RETENTION_DAYS * DAY);
    const high = Math.min(queryBound(to, 'to'), (Math.floor(now / DAY) + 2) * DAY) - 1;
    const days: { day: Millis; first: Millis; last: Millis }[] = [];
    if (high < low) return days;
    for (let day = Math.floor(low / DAY) * DAY; day <= high; day += DAY) days.push({ day, first: Math.max(low, day), last: Math.min(high, day + DAY - 1) });
    return days;
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
