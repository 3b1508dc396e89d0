import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The ledger table's shape, in one place: the adapter's keys and indexes, the tests that create the
 * table in moto, and the CloudFormation in infra/ (checked against this) cannot drift apart.
 */

/** Item attributes that keys and indexes are built on. */
export const LEDGER_KEY = {
  partition: 'pk',
  sort: 'sk',
  /** YYYY-MM-DD (UTC) of startedAt: the byDay index's partition, so the reporter's week is seven small Queries. */
  day: 'day',
  startedAt: 'startedAt',
  /**
   * A record's mode, 'live' or 'dry-run': the byStart index's partition, so a tick reads every record
   * of the last days in one Query a mode. Every record has always carried it, so the index holds the
   * records written before it existed too, and items that are not records (locks, tick summaries) stay out.
   */
  mode: 'mode',
  /** Constant 'OPEN', present only while a record is open: what makes the open index sparse. */
  open: 'open',
  /** The group name, present only while a record is open. */
  openGroup: 'openGroup',
} as const;

export const LEDGER_INDEX = {
  byDay: 'byDay',
  byStart: 'byStart',
  open: 'open',
} as const;

/** Epoch seconds after which DynamoDB deletes the item. */
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';
export const LEDGER_RETENTION_DAYS = 90;

/** CreateTable input without the name, which the stack or the test chooses. */
export const LEDGER_TABLE = {
  AttributeDefinitions: [
    { AttributeName: LEDGER_KEY.partition, AttributeType: 'S' },
    { AttributeName: LEDGER_KEY.sort, AttributeType: 'S' },
    { AttributeName: LEDGER_KEY.day, AttributeType: 'S' },
    { AttributeName: LEDGER_KEY.startedAt, AttributeType: 'N' },
    { AttributeName: LEDGER_KEY.mode, AttributeType: 'S' },
    { AttributeName: LEDGER_KEY.open, AttributeType: 'S' },
    { AttributeName: LEDGER_KEY.openGroup, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: LEDGER_KEY.partition, KeyType: 'HASH' },
    { AttributeName: LEDGER_KEY.sort, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: LEDGER_INDEX.byDay,
      KeySchema: [
        { AttributeName: LEDGER_KEY.day, KeyType: 'HASH' },
        { AttributeName: LEDGER_KEY.startedAt, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: LEDGER_INDEX.byStart,
      KeySchema: [
        { AttributeName: LEDGER_KEY.mode, KeyType: 'HASH' },
        { AttributeName: LEDGER_KEY.startedAt, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: LEDGER_INDEX.open,
      KeySchema: [
        { AttributeName: LEDGER_KEY.open, KeyType: 'HASH' },
        { AttributeName: LEDGER_KEY.openGroup, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

/** A fresh, mutable CreateTable input (the SDK's types want mutable arrays). */
export function ledgerTableInput(tableName: string): CreateTableCommandInput {
  return { ...structuredClone(LEDGER_TABLE), TableName: tableName };
}
