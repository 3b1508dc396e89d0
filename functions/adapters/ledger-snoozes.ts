import type { Millis } from '../core/model.js';
import type { SnoozeMark } from '../core/policy/snooze.js';
import { LedgerItemError } from './errors.js';
import type { StoredItem } from './ledger-items.js';
import { dayBucket, describe, expiresAt, FieldReader, partitionKey, queryBound } from './ledger-items.js';
import { LEDGER_KEY, LEDGER_TTL_ATTRIBUTE } from './ledger-table.js';

// A snooze's ledger item (its layout is with the others, in ledger-items.ts): the tick's mark and who set it.

const SNOOZE_KIND = 'snooze';
const SNOOZE_SORT_PREFIX = 'SNOOZE#';

/** A snooze's item, marked by a tick or noted by the verifier from CloudTrail, whichever comes first. */
export function snoozeKey(group: string, until: Millis): Record<string, string> {
  return {
    [LEDGER_KEY.partition]: partitionKey(group),
    [LEDGER_KEY.sort]: `${SNOOZE_SORT_PREFIX}${new Date(queryBound(until, 'until')).toISOString()}`,
  };
}

/** An UpdateItem's expression parts, each attribute behind a placeholder. */
export interface ItemUpdate {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, string | number>;
}

/**
 * The tick's mark: its fields and the record index attributes, set only while the item has none, so
 * the first sighting stands and a setter noted before it stays. The index attributes are what put
 * the item into the tick's and the report's Queries.
 */
export function snoozeMarkUpdate(mark: SnoozeMark): ItemUpdate {
  const seenAt = queryBound(mark.seenAt, 'seenAt');
  const fields: Record<string, string | number> = {
    kind: SNOOZE_KIND,
    group: mark.group,
    until: mark.until,
    [LEDGER_KEY.mode]: 'live',
    [LEDGER_KEY.startedAt]: seenAt,
    [LEDGER_KEY.day]: dayBucket(seenAt),
    [LEDGER_TTL_ATTRIBUTE]: expiresAt(seenAt),
  };
  const names = Object.keys(fields);
  return {
    UpdateExpression: `SET ${names.map((_name, index) => `#m${index} = :m${index}`).join(', ')}`,
    ConditionExpression: 'attribute_not_exists(#seen)',
    ExpressionAttributeNames: { ...Object.fromEntries(names.map((name, index) => [`#m${index}`, name])), '#seen': LEDGER_KEY.startedAt },
    ExpressionAttributeValues: Object.fromEntries(Object.values(fields).map((value, index) => [`:m${index}`, value])),
  };
}

/**
 * Who set the snooze, kept only when no earlier setter is: CloudTrail's events and the tick's mark
 * arrive in any order. An item the tick has not marked carries no index attribute, so no Query finds
 * it, and expires by TTL like the records.
 */
export function snoozeSetterUpdate(setter: { readonly by: string; readonly at: Millis }): ItemUpdate {
  const at = queryBound(setter.at, 'setAt');
  return {
    UpdateExpression: 'SET #by = :by, #at = :at, #expires = if_not_exists(#expires, :expires)',
    ConditionExpression: 'attribute_not_exists(#at) OR #at > :at',
    ExpressionAttributeNames: { '#by': 'setBy', '#at': 'setAt', '#expires': LEDGER_TTL_ATTRIBUTE },
    ExpressionAttributeValues: { ':by': setter.by, ':at': at, ':expires': expiresAt(at) },
  };
}

export function isSnoozeItem(item: StoredItem): boolean {
  const sort = item[LEDGER_KEY.sort];
  return item['kind'] === SNOOZE_KIND || (typeof sort === 'string' && sort.startsWith(SNOOZE_SORT_PREFIX));
}

/** A snooze item's mark with its setter when one is kept; undefined for a setter no tick has marked (no Query should find one). */
export function snoozeFromItem(item: StoredItem): SnoozeMark | undefined {
  if (item[LEDGER_KEY.startedAt] === undefined) return undefined;
  const read = new FieldReader(item);
  const mark = { group: read.string('group'), until: read.number('until'), seenAt: read.number(LEDGER_KEY.startedAt) };
  const setter = item['setBy'] === undefined && item['setAt'] === undefined ? undefined : { by: read.string('setBy'), at: read.number('setAt') };
  if (read.problems.length > 0) {
    throw new LedgerItemError(
      `malformed snooze mark pk=${describe(item[LEDGER_KEY.partition])} sk=${describe(item[LEDGER_KEY.sort])}: ${read.problems.join('; ')}`,
    );
  }
  return setter === undefined ? mark : { ...mark, setter };
}
