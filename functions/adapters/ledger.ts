import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplacementPhase, ReplacementRecord, UndoClaim } from '../core/model.js';
import { isOpen, OPEN_PHASES } from '../core/model.js';
import type { SnoozeMark } from '../core/policy/snooze.js';
import type { BeginResult, LedgerPort, UpdateResult } from '../core/ports.js';
import type { TickSummary } from '../core/report/tick-summary.js';
import type { Item } from './ledger-items.js';
import { canonical, expiresAt, GROUPS_PER_TICK_ITEM, LOCK_SORT_KEY, partitionKey, queryBound, snoozeToItem, tickPartitionKey, toItem } from './ledger-items.js';
import { DynamoLedgerReader } from './ledger-reader.js';
import { LEDGER_KEY, LEDGER_TTL_ATTRIBUTE } from './ledger-table.js';

/**
 * The replacement ledger in DynamoDB. Every write is conditional and decides alone; a stale read
 * (the indexes are eventually consistent) only leads to a write whose condition then fails.
 */
export class DynamoLedger extends DynamoLedgerReader implements LedgerPort {
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

  /** The first write of a group's snooze time wins: a later tick that saw it too keeps the first sighting. */
  async markSnooze(mark: SnoozeMark): Promise<void> {
    await this.conditionally(() => this.client.send(new PutCommand({ TableName: this.tableName, Item: snoozeToItem(mark), ...absent() })));
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

function absent() {
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': LEDGER_KEY.partition } };
}

function conditionFailed(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  // A transaction fails as a whole; one failed condition among its reasons means it could not have applied.
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}
