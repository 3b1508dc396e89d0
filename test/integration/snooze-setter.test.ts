import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { buildWeeklyReport } from '../../functions/app/weekly-report.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import type { SnoozeMark } from '../../functions/core/policy/snooze.js';
import type { SnoozeSetter } from '../../functions/core/policy/snooze-setter.js';
import { renderJson } from '../../functions/report/json.js';
import { renderMarkdown } from '../../functions/report/markdown.js';
import { WEDNESDAY_NOON } from '../support/clock.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();
const TABLE = 'phoenix-ledger';

let documents: DynamoDBDocumentClient;
let ledger: DynamoLedger;

beforeEach(async () => {
  const dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
  documents = DynamoDBDocumentClient.from(dynamo);
  await dynamo.send(new CreateTableCommand(ledgerTableInput(TABLE)));
  ledger = new DynamoLedger({ client: dynamo, tableName: TABLE, clock: () => WEDNESDAY_NOON + HOUR });
});

const UNTIL = WEDNESDAY_NOON + 6 * HOUR;
const BOB = 'arn:aws:sts::123456789012:assumed-role/WebTeam/bob@example.com';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const mark: SnoozeMark = { group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON };
const setter = (by: string, at: number): SnoozeSetter => ({ group: 'web', until: UNTIL, by, at, eventId: `e-${at}` });
const RETENTION_SECONDS = 90 * 86_400;

async function snoozeItem(): Promise<Record<string, unknown> | undefined> {
  return (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 'GROUP#web', sk: `SNOOZE#${new Date(UNTIL).toISOString()}` } }))).Item;
}

/** What the tick's Queries and the report's read of the week find. */
async function readBack() {
  return {
    tick: (await ledger.recordsSince(WEDNESDAY_NOON - DAY)).snoozes,
    week: await ledger.snoozesBetween(WEDNESDAY_NOON - 2 * DAY, WEDNESDAY_NOON + DAY),
  };
}

const BOTH = { group: 'web', until: UNTIL, seenAt: WEDNESDAY_NOON, setter: { by: BOB, at: WEDNESDAY_NOON - 10 * MINUTE } };

describe('who set a snooze, on the same ledger item as the tick mark, against moto', () => {
  it('setter first: the item is in no index until a tick marks it, then one item carries both', async () => {
    expect(await ledger.noteSnoozeSetter(setter(BOB, WEDNESDAY_NOON - 10 * MINUTE))).toBe('noted');
    const setterOnly = await snoozeItem();
    expect(setterOnly).toEqual({
      pk: 'GROUP#web',
      sk: 'SNOOZE#2026-11-18T18:00:00.000Z',
      setBy: BOB,
      setAt: WEDNESDAY_NOON - 10 * MINUTE,
      expiresAt: (WEDNESDAY_NOON - 10 * MINUTE) / 1000 + RETENTION_SECONDS,
    });
    expect(await readBack()).toEqual({ tick: [], week: [] });

    await ledger.markSnooze(mark);
    expect(await snoozeItem()).toMatchObject({ kind: 'snooze', startedAt: WEDNESDAY_NOON, mode: 'live', day: '2026-11-18', setBy: BOB });
    expect((await snoozeItem())?.['expiresAt']).toBe(WEDNESDAY_NOON / 1000 + RETENTION_SECONDS);
    expect(await readBack()).toEqual({ tick: [BOTH], week: [BOTH] });
  });

  it('mark first: the setter joins it and keeps its expiry; a second tick mark changes neither', async () => {
    await ledger.markSnooze(mark);
    expect(await readBack()).toEqual({ tick: [mark], week: [mark] });
    expect(await ledger.noteSnoozeSetter(setter(BOB, WEDNESDAY_NOON - 10 * MINUTE))).toBe('noted');
    await ledger.markSnooze({ ...mark, seenAt: WEDNESDAY_NOON + 5 * MINUTE });
    expect((await snoozeItem())?.['expiresAt']).toBe(WEDNESDAY_NOON / 1000 + RETENTION_SECONDS);
    expect(await readBack()).toEqual({ tick: [BOTH], week: [BOTH] });
  });

  it('the earliest setter stands, whichever CloudTrail delivers first', async () => {
    await ledger.markSnooze(mark);
    expect(await ledger.noteSnoozeSetter(setter(ALICE, WEDNESDAY_NOON - 5 * MINUTE))).toBe('noted');
    // Bob's earlier write arrives later: it is who set the value.
    expect(await ledger.noteSnoozeSetter(setter(BOB, WEDNESDAY_NOON - 10 * MINUTE))).toBe('noted');
    // Alice's record delivered again, and a later write of the same value, change nothing.
    expect(await ledger.noteSnoozeSetter(setter(ALICE, WEDNESDAY_NOON - 5 * MINUTE))).toBe('earlier-kept');
    expect(await ledger.noteSnoozeSetter(setter(ALICE, WEDNESDAY_NOON - 10 * MINUTE))).toBe('earlier-kept');
    expect(await readBack()).toEqual({ tick: [BOTH], week: [BOTH] });
  });

  it("the reporter's report names who set it, and says so where CloudTrail did not tell", async () => {
    await ledger.markSnooze(mark);
    await ledger.noteSnoozeSetter(setter(BOB, WEDNESDAY_NOON - 10 * MINUTE));
    await ledger.markSnooze({ group: 'api', until: WEDNESDAY_NOON + 2 * HOUR, seenAt: WEDNESDAY_NOON + 30 * MINUTE });
    const report = await buildWeeklyReport(
      { ledger, fleet: { listOptedInGroups: async () => [] } },
      { week: '2026-W47', timeZone: 'UTC' },
      Date.UTC(2026, 10, 23, 6),
    );
    expect(report.snoozes).toEqual([
      {
        group: 'web',
        seenAt: '2026-11-18T12:00:00.000Z',
        until: '2026-11-18T18:00:00.000Z',
        lengthSeconds: 6 * 3600,
        by: BOB,
        setAt: '2026-11-18T11:50:00.000Z',
      },
      { group: 'api', seenAt: '2026-11-18T12:30:00.000Z', until: '2026-11-18T14:00:00.000Z', lengthSeconds: 5400, by: null, setAt: null },
    ]);
    expect(renderMarkdown(report)).toContain(`(6h, set by ${BOB} at 2026-11-18T11:50:00.000Z)`);
    expect(renderMarkdown(report)).toContain('(1h 30m, set by unknown: CloudTrail did not tell)');
    expect(renderJson(report)).toContain(`"by": "${BOB}"`);
  });
});
