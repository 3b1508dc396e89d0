import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { VersionBlock, VersionFailure, VersionHealth, VersionReleaseNotice } from '../core/decide/versions.js';
import type { Millis, ReplacementPhase, ReplacementRecord, UndoClaim } from '../core/model.js';
import { isOpen, OPEN_PHASES } from '../core/model.js';
import type { SnoozeMark } from '../core/policy/snooze.js';
import type { SnoozeSetter } from '../core/policy/snooze-setter.js';
import type { BeginResult, LedgerPort, SnoozeSetterPort, UpdateResult, VersionRelease } from '../core/ports.js';
import type { TickSummary } from '../core/report/tick-summary.js';
import type { Item } from './ledger-items.js';
import {
  canonical,
  expiresAt,
  GROUPS_PER_TICK_ITEM,
  LOCK_SORT_KEY,
  noticeClaimToItem,
  partitionKey,
  queryBound,
  tickPartitionKey,
  toItem,
} from './ledger-items.js';
import { DynamoLedgerReader } from './ledger-reader.js';
import { snoozeKey, snoozeMarkUpdate, snoozeSetterUpdate } from './ledger-snoozes.js';
import { LEDGER_KEY, LEDGER_TTL_ATTRIBUTE } from './ledger-table.js';
import { blockAttributes, failureAttribute, failureExpiry, failureValue, VERSION_SORT_KEY, versionFromItem, versionPartitionKey } from './ledger-versions.js';

/**
 * The replacement ledger in DynamoDB. Every write is conditional and decides alone; a stale read
 * (the indexes are eventually consistent) only leads to a write whose condition then fails.
 */
export class DynamoLedger extends DynamoLedgerReader implements LedgerPort, VersionRelease, SnoozeSetterPort {
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

  async claimNotices(scheduledAt: Millis): Promise<'claimed' | 'conflict'> {
    const item = noticeClaimToItem(scheduledAt);
    return (await this.conditionally(() => this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...absent() })))) ? 'claimed' : 'conflict';
  }

  /**
   * The first mark of a group's snooze time wins: a later tick that saw it too keeps the first sighting.
   * An update, not a put: the verifier may have noted who set it before any tick saw it.
   */
  async markSnooze(mark: SnoozeMark): Promise<void> {
    await this.conditionally(() =>
      this.client.send(new UpdateCommand({ TableName: this.tableName, Key: snoozeKey(mark.group, mark.until), ...snoozeMarkUpdate(mark) })),
    );
  }

  async noteSnoozeSetter(setter: SnoozeSetter): Promise<'noted' | 'earlier-kept'> {
    const written = await this.conditionally(() =>
      this.client.send(new UpdateCommand({ TableName: this.tableName, Key: snoozeKey(setter.group, setter.until), ...snoozeSetterUpdate(setter) })),
    );
    return written ? 'noted' : 'earlier-kept';
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
    return this.conditionally(() => this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: this.takeLock(record) }, { Put: put }] }))).then(
      (written) => (written ? 'created' : 'conflict'),
    );
  }

  async update(record: ReplacementRecord, expectedPhase: ReplacementPhase, expectedUndo?: UndoClaim): Promise<UpdateResult> {
    const put = {
      TableName: this.tableName,
      Item: toItem(record),
      ...phaseCondition(expectedPhase, expectedUndo),
    };
    const wasOpen = OPEN_PHASES.includes(expectedPhase);
    const written = await this.conditionally(() => {
      if (wasOpen === isOpen(record)) return this.client.send(new PutCommand(put));
      const lock = wasOpen ? { Delete: this.releaseLock(record) } : { Put: this.takeLock(record) };
      return this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, lock] }));
    });
    return written ? 'updated' : 'conflict';
  }

  async noteFailure(key: string, failure: VersionFailure): Promise<VersionHealth> {
    const answer = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: versionKey(key),
        // The first note of a record stands: a repeated run must not move its time.
        UpdateExpression: 'SET #key = :key, #failure = if_not_exists(#failure, :failure), #expires = :expires',
        ExpressionAttributeNames: { '#key': 'key', '#failure': failureAttribute(failure.recordId), '#expires': LEDGER_TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':key': key, ':failure': failureValue(failure), ':expires': failureExpiry(failure.at)[LEDGER_TTL_ATTRIBUTE] },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const health = versionFromItem(answer.Attributes ?? {});
    if (health.block === undefined) return health;
    // A block outlives its failures' retention: the note's expiry is taken off again.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: versionKey(key),
        UpdateExpression: 'REMOVE #expires',
        ExpressionAttributeNames: { '#expires': LEDGER_TTL_ATTRIBUTE },
      }),
    );
    return health;
  }

  async blockVersion(block: VersionBlock, health: VersionHealth): Promise<'blocked' | 'conflict'> {
    const attributes = blockAttributes(block);
    const names = Object.fromEntries(Object.keys(attributes).map((name, index) => [`#a${index}`, name]));
    const values = Object.fromEntries(Object.values(attributes).map((value, index) => [`:a${index}`, value]));
    const released = health.releasedAt === undefined ? 'attribute_not_exists(#released)' : '#released = :released';
    const written = await this.conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: versionKey(block.key),
          UpdateExpression: `SET ${Object.keys(names)
            .map((name, index) => `${name} = :a${index}`)
            .join(', ')} REMOVE #expires`,
          ConditionExpression: `attribute_exists(#pk) AND attribute_not_exists(#blockedAt) AND ${released}`,
          ExpressionAttributeNames: {
            ...names,
            '#pk': LEDGER_KEY.partition,
            '#blockedAt': 'blockedAt',
            '#released': 'releasedAt',
            '#expires': LEDGER_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: { ...values, ...(health.releasedAt === undefined ? {} : { ':released': health.releasedAt }) },
        }),
      ),
    );
    return written ? 'blocked' : 'conflict';
  }

  /**
   * Lifts a block: no run blocks on it from now, the failures before now are forgiven, and the tick's
   * read finds the release to announce it.
   */
  async releaseVersion(key: string, at: Millis, by: string): Promise<VersionBlock | undefined> {
    const removed = Object.keys(blockAttributes({ key, blockedAt: 0, why: '', trippedBy: '' })).filter(
      (name) => name !== LEDGER_KEY.mode && name !== LEDGER_KEY.startedAt,
    );
    const names = Object.fromEntries(removed.map((name, index) => [`#r${index}`, name]));
    try {
      const answer = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: versionKey(key),
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')} SET #releasedAt = :at, #releasedBy = :by, #expires = :expires, #startedAt = :at`,
          ConditionExpression: 'attribute_exists(#blockedAt)',
          ExpressionAttributeNames: {
            ...names,
            '#startedAt': LEDGER_KEY.startedAt,
            '#blockedAt': 'blockedAt',
            '#releasedAt': 'releasedAt',
            '#releasedBy': 'releasedBy',
            '#expires': LEDGER_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: { ':at': at, ':by': by, ':expires': failureExpiry(at)[LEDGER_TTL_ATTRIBUTE] },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return versionFromItem(answer.Attributes ?? {}).block;
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  async releaseAnnounced(release: VersionReleaseNotice): Promise<void> {
    await this.conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: versionKey(release.key),
          UpdateExpression: 'REMOVE #mode, #startedAt SET #announcedAt = :releasedAt',
          // A later block or release of the same version is not this announcement's to hide.
          ConditionExpression: '#releasedAt = :releasedAt AND attribute_not_exists(#blockedAt)',
          ExpressionAttributeNames: {
            '#mode': LEDGER_KEY.mode,
            '#startedAt': LEDGER_KEY.startedAt,
            '#announcedAt': 'announcedAt',
            '#releasedAt': 'releasedAt',
            '#blockedAt': 'blockedAt',
          },
          ExpressionAttributeValues: { ':releasedAt': release.releasedAt },
        }),
      ),
    );
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
      Item: {
        [LEDGER_KEY.partition]: partitionKey(record.group),
        [LEDGER_KEY.sort]: LOCK_SORT_KEY,
        recordId: record.id,
        [LEDGER_TTL_ATTRIBUTE]: expiresAt(record.startedAt),
      },
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
      new GetCommand({
        TableName: this.tableName,
        Key: { [LEDGER_KEY.partition]: item[LEDGER_KEY.partition], [LEDGER_KEY.sort]: item[LEDGER_KEY.sort] },
        ConsistentRead: true,
      }),
    );
    return stored.Item !== undefined && canonical(stored.Item) === canonical(item);
  }
}

/** The stored phase, and when an undo is made again, the stored claim's last call time too. */
function phaseCondition(expectedPhase: ReplacementPhase, expectedUndo: UndoClaim | undefined) {
  const phase = {
    ConditionExpression: '#phase = :expected',
    ExpressionAttributeNames: { '#phase': 'phase' },
    ExpressionAttributeValues: { ':expected': expectedPhase },
  };
  if (expectedUndo === undefined) return phase;
  const names = { ...phase.ExpressionAttributeNames, '#undo': 'undo', '#at': 'at' };
  if (expectedUndo.at === undefined)
    return { ...phase, ConditionExpression: `${phase.ConditionExpression} AND attribute_not_exists(#undo.#at)`, ExpressionAttributeNames: names };
  return {
    ConditionExpression: `${phase.ConditionExpression} AND #undo.#at = :undoAt`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...phase.ExpressionAttributeValues, ':undoAt': expectedUndo.at },
  };
}

function versionKey(key: string) {
  return { [LEDGER_KEY.partition]: versionPartitionKey(key), [LEDGER_KEY.sort]: VERSION_SORT_KEY };
}

function absent() {
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition } };
}

function conditionFailed(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  // A transaction fails as a whole; one failed condition among its reasons means it could not have applied.
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}
