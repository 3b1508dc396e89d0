import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { LEDGER_TTL_ATTRIBUTE, ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import type { VersionBlock } from '../../functions/core/decide/versions.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import { WEDNESDAY_NOON } from '../support/clock.js';
import { record } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();
const TABLE = 'phoenix-ledger-versions';
const KEY = 'lt-0abc:7';

let ledger: DynamoLedger;
let documents: DynamoDBDocumentClient;

beforeEach(async () => {
  const dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
  documents = DynamoDBDocumentClient.from(dynamo);
  await dynamo.send(new CreateTableCommand(ledgerTableInput(TABLE)));
  ledger = new DynamoLedger({ client: dynamo, tableName: TABLE, clock: () => WEDNESDAY_NOON });
});

const failure = (group: string, at = WEDNESDAY_NOON, canary = false) => ({ group, at, recordId: `${group}#${at}`, canary });
const block = (trippedBy: string): VersionBlock => ({ key: KEY, blockedAt: WEDNESDAY_NOON, why: '2 failed recoveries (api, web) within 1d', trippedBy });

async function stored(): Promise<Record<string, unknown> | undefined> {
  return (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: `VERSION#${KEY}`, sk: 'STATE' } }))).Item;
}

describe('version state in DynamoDB against moto', () => {
  it('a failure noted again for the same record keeps its first note; each note returns all the failures', async () => {
    await ledger.noteFailure(KEY, failure('web', WEDNESDAY_NOON - HOUR));
    expect((await ledger.noteFailure(KEY, { ...failure('web', WEDNESDAY_NOON - HOUR), at: WEDNESDAY_NOON })).failures).toEqual([
      failure('web', WEDNESDAY_NOON - HOUR),
    ]);
    const health = await ledger.noteFailure(KEY, failure('api'));
    expect(health).toEqual({ key: KEY, failures: [failure('web', WEDNESDAY_NOON - HOUR), failure('api')], block: undefined, releasedAt: undefined });
    expect((await stored())?.[LEDGER_TTL_ATTRIBUTE]).toBeGreaterThan(WEDNESDAY_NOON / 1000);
  });

  it('of two runs blocking a version, one does; the block never expires and comes with both reads every run makes', async () => {
    const health = await ledger.noteFailure(KEY, failure('api'));
    expect(await ledger.blockVersion(block('api#1'), health)).toBe('blocked');
    expect(await ledger.blockVersion(block('web#1'), health)).toBe('conflict');
    expect((await stored())?.[LEDGER_TTL_ATTRIBUTE]).toBeUndefined();
    await ledger.begin(record({ group: 'web', phase: 'surging', startedAt: WEDNESDAY_NOON - MINUTE, closedAt: undefined, terminatedAt: undefined }));
    const tick = await ledger.recordsSince(WEDNESDAY_NOON - 9 * DAY);
    expect(tick.blocks).toEqual([block('api#1')]);
    expect(tick.records.map((found) => found.group)).toEqual(['web']);
    const sweep = await ledger.openRecords();
    expect(sweep.blocks).toEqual([block('api#1')]);
    expect(sweep.records.map((found) => found.group)).toEqual(['web']);
    // Another failure onto a blocked version keeps it without an expiry.
    expect((await ledger.noteFailure(KEY, failure('db'))).block).toEqual(block('api#1'));
    expect((await stored())?.[LEDGER_TTL_ATTRIBUTE]).toBeUndefined();
  });

  it('a release lifts the block from both reads, forgives the failures before it, and a block after it needs that release read', async () => {
    const health = await ledger.noteFailure(KEY, failure('api'));
    await ledger.blockVersion(block('api#1'), health);
    expect(await ledger.releaseVersion(KEY, WEDNESDAY_NOON + HOUR, 'arn:aws:iam::111122223333:user/alice')).toEqual(block('api#1'));
    expect(await ledger.releaseVersion(KEY, WEDNESDAY_NOON + HOUR, 'alice')).toBeUndefined();
    const notice = { key: KEY, releasedAt: WEDNESDAY_NOON + HOUR, releasedBy: 'arn:aws:iam::111122223333:user/alice' };
    expect(await ledger.recordsSince(WEDNESDAY_NOON - DAY)).toMatchObject({ blocks: [], releases: [notice] });
    await ledger.releaseAnnounced(notice);
    expect((await ledger.recordsSince(WEDNESDAY_NOON - DAY)).releases).toEqual([]);
    expect((await ledger.openRecords()).blocks).toEqual([]);
    expect(await stored()).toMatchObject({ releasedAt: WEDNESDAY_NOON + HOUR, releasedBy: 'arn:aws:iam::111122223333:user/alice' });
    // A run that read the version before the release may not block it again on those failures.
    expect(await ledger.blockVersion(block('web#1'), health)).toBe('conflict');
    const after = await ledger.noteFailure(KEY, failure('web', WEDNESDAY_NOON + 2 * HOUR, true));
    expect(after.releasedAt).toBe(WEDNESDAY_NOON + HOUR);
    expect(await ledger.blockVersion(block('web#2'), after)).toBe('blocked');
  });

  it('a replacement record keeps what it launched and whether it was a canary', async () => {
    const launched = record({
      group: 'web',
      phase: 'surging',
      startedAt: WEDNESDAY_NOON - MINUTE,
      closedAt: undefined,
      terminatedAt: undefined,
      launches: { kind: 'template', id: 'lt-0abc', version: '7', name: 'web', imageId: 'ami-0123' },
      canary: true,
    });
    await ledger.begin(launched);
    expect((await ledger.openRecords()).records).toEqual([launched]);
  });
});
