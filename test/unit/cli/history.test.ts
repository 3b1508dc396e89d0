import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { toItem } from '../../../functions/adapters/ledger-items.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { CREDENTIALS, cli, NO_AWS, STACK_LINE } from '../../support/cli.js';
import { NOW, record } from '../../support/fleet.js';

const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);
const ENV = { ...NO_AWS, ...CREDENTIALS, AWS_REGION: 'eu-west-1', PHOENIX_LEDGER_TABLE: undefined };
const TABLE = 'phoenix-prod-LedgerTable-ABC123';

afterEach(() => {
  dynamo.reset();
  documents.reset();
});

const VERIFIED = record({
  id: 'web#1',
  instanceId: 'i-0aaa',
  startedAt: NOW - 2 * DAY,
  terminatedAt: NOW - 2 * DAY + 10 * MINUTE,
  closedAt: NOW - 2 * DAY + 18 * MINUTE,
  phase: 'verified',
});
const FAILED = record({
  id: 'web#2',
  instanceId: 'i-0bbb',
  reason: 'chaos',
  startedAt: NOW - DAY,
  terminatedAt: NOW - DAY + 10 * MINUTE,
  closedAt: NOW - DAY + HOUR,
  phase: 'failed',
  detail: 'recovery timed out',
});

function givenLedger(): void {
  dynamo.on(ListTablesCommand).resolves({ TableNames: [TABLE] });
  documents.on(QueryCommand).resolves({ Items: [toItem(VERIFIED), toItem(FAILED)] });
}

describe('phoenix history', () => {
  it('lists the group’s replacements with reason, times and outcome, from the group’s own partition', async () => {
    givenLedger();
    const result = await cli(['history', 'web', '--days', '7'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`ledger: ${TABLE} (the only Phoenix stack in this region, phoenix-prod)`);
    expect(result.stdout.split('\n')).toEqual([
      'web: 2 replacements in the last 7 days',
      '',
      'started (UTC)     instance  reason   mode  outcome   age  recovery  detail',
      '2026-11-21 12:00  i-0aaa    max-age  live  verified  8d   8m',
      '2026-11-22 12:00  i-0bbb    chaos    live  failed    8d   -         recovery timed out',
    ]);
    const query = documents.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query).toMatchObject({ TableName: TABLE, ConsistentRead: true });
    expect(JSON.stringify(query?.ExpressionAttributeValues)).toContain('web');
  });

  it('--json prints one object with each replacement’s fields', async () => {
    givenLedger();
    const result = await cli(['history', 'web', '--json'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      group: 'web',
      days: 30,
      ledgerTable: TABLE,
      replacements: [
        {
          instanceId: 'i-0aaa',
          reason: 'max-age',
          mode: 'live',
          outcome: 'verified',
          startedAt: '2026-11-21T12:00:00.000Z',
          terminatedAt: '2026-11-21T12:10:00.000Z',
          closedAt: '2026-11-21T12:18:00.000Z',
          recoverySeconds: 480,
          instanceAgeSeconds: 8 * 86_400,
          detail: null,
        },
        expect.objectContaining({ instanceId: 'i-0bbb', outcome: 'failed', recoverySeconds: null, detail: 'recovery timed out' }),
      ],
    });
  });

  it('a group with no replacements says so', async () => {
    dynamo.on(ListTablesCommand).resolves({ TableNames: [TABLE] });
    documents.on(QueryCommand).resolves({ Items: [] });
    const result = await cli(['history', 'quiet'], ENV);
    expect(result).toMatchObject({ code: 0, stdout: 'quiet: no replacements in the last 30 days' });
  });

  it.each([
    {
      case: 'no group',
      argv: ['history'],
      stderr: 'phoenix history: GROUP is missing: expected the name of an Auto Scaling group first (phoenix history --help)',
    },
    {
      case: 'an option first',
      argv: ['history', '--days', '3'],
      stderr: 'phoenix history: GROUP is missing: expected the name of an Auto Scaling group first (phoenix history --help)',
    },
    {
      case: '--days beyond the retention',
      argv: ['history', 'web', '--days', '91'],
      stderr: '--days: "91" is not valid: expected a whole number from 1 to 90',
    },
    { case: '--days -1', argv: ['history', 'web', '--days', '-1'], stderr: '--days: "-1" is not valid: expected a whole number from 1 to 90' },
  ])('$case: exit 2, one line', async ({ argv, stderr }) => {
    const result = await cli(argv, ENV);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
    expect(documents.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('a missing table: one line naming it, exit 1', async () => {
    documents.on(QueryCommand).rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }));
    const result = await cli(['history', 'web', '--table', 'absent'], ENV);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'ledger: absent (--table)',
      'phoenix history: ledger table absent not found (pass --stage or --table, or set PHOENIX_LEDGER_TABLE): Requested resource not found',
    ]);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
