import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LedgerNotFoundError, UsageError } from '../../../functions/cli/errors.js';
import { chooseLedger, deployedLedgers } from '../../../functions/cli/ledger-choice.js';

const ORGANISATION = 'StackSet-phoenix-0f1e2d3c-aaaa-bbbb-cccc-123456789abc-LedgerTable-QQ7';
const TABLES = ['orders', 'phoenix-prod-LedgerTable-1A2B3C4D5E6F', 'phoenix-ledger', 'phoenix-dev-eu-LedgerTable-ZZZ9', ORGANISATION];

async function choose(values: Record<string, string>, tables: readonly string[], variable?: string) {
  const saved = process.env['PHOENIX_LEDGER_TABLE'];
  if (variable === undefined) delete process.env['PHOENIX_LEDGER_TABLE'];
  else process.env['PHOENIX_LEDGER_TABLE'] = variable;
  let listed = 0;
  try {
    const choice = await chooseLedger(values, async () => {
      listed++;
      return tables;
    });
    return { ...choice, listed };
  } finally {
    if (saved === undefined) delete process.env['PHOENIX_LEDGER_TABLE'];
    else process.env['PHOENIX_LEDGER_TABLE'] = saved;
  }
}

describe('the ledger a command reads', () => {
  it('finds deployed ledgers by the name CloudFormation gives the LedgerTable of stack phoenix-<stage> or of the StackSet’s stack', () => {
    expect(deployedLedgers(TABLES)).toEqual([
      { stack: 'phoenix-prod', stage: 'prod', table: 'phoenix-prod-LedgerTable-1A2B3C4D5E6F' },
      { stack: 'phoenix-dev-eu', stage: 'dev-eu', table: 'phoenix-dev-eu-LedgerTable-ZZZ9' },
      { stack: 'StackSet-phoenix-0f1e2d3c-aaaa-bbbb-cccc-123456789abc', stage: undefined, table: ORGANISATION },
    ]);
  });

  it('holds to the template: service phoenix, the table under logical id LedgerTable with no name of its own', () => {
    expect(readFileSync('serverless.yml', 'utf8')).toMatch(/^service: phoenix$/m);
    const ledger = readFileSync('infra/ledger.yml', 'utf8');
    expect(ledger).toMatch(/^ {2}LedgerTable:\n {4}Type: AWS::DynamoDB::Table$/m);
    expect(ledger).not.toMatch(/^\s+TableName:/m);
  });

  it.each([
    { case: '--table, without listing', values: { table: 'mine' }, tables: TABLES, table: 'mine', how: '--table', listed: 0 },
    { case: 'PHOENIX_LEDGER_TABLE, without listing', values: {}, tables: TABLES, variable: 'set', table: 'set', how: 'PHOENIX_LEDGER_TABLE', listed: 0 },
    { case: '--stage over the variable', values: { stage: 'prod' }, tables: TABLES, variable: 'set', table: TABLES[1], how: 'stack phoenix-prod', listed: 1 },
    {
      case: 'the only deployed stack',
      values: {},
      tables: ['phoenix-prod-LedgerTable-1A2B3C4D5E6F', 'orders'],
      table: 'phoenix-prod-LedgerTable-1A2B3C4D5E6F',
      how: 'the only Phoenix stack in this region, phoenix-prod',
      listed: 1,
    },
    {
      case: 'the organisation StackSet’s stack alone',
      values: {},
      tables: [ORGANISATION],
      table: ORGANISATION,
      how: 'the only Phoenix stack in this region, StackSet-phoenix-0f1e2d3c-aaaa-bbbb-cccc-123456789abc',
      listed: 1,
    },
    {
      case: 'none deployed',
      values: {},
      tables: ['orders'],
      table: undefined,
      how: 'no Phoenix stack deployed in this region (pass --region, --stage or --table)',
      listed: 1,
    },
  ])('$case', async ({ values, tables, variable, table, how, listed }) => {
    expect(await choose(values, tables, variable)).toEqual({ table, how, listed });
  });

  it.each([
    {
      case: 'several stacks and no --stage',
      values: {},
      says: 'several Phoenix stacks in this region (phoenix-prod, phoenix-dev-eu, StackSet-phoenix-0f1e2d3c-aaaa-bbbb-cccc-123456789abc): pass --stage or --table to choose one',
    },
    { case: 'both --stage and --table', values: { stage: 'prod', table: 'x' }, says: '--table and --stage: expected one of them, not both' },
  ])('$case is a usage error', async ({ values, says }) => {
    await expect(choose(values, TABLES)).rejects.toEqual(new UsageError(says));
  });

  it('a stage not deployed here stops the command, naming the stages that are', async () => {
    await expect(choose({ stage: 'qa' }, TABLES)).rejects.toEqual(
      new LedgerNotFoundError(
        'no stack phoenix-qa in this region (stacks here: phoenix-prod, phoenix-dev-eu, StackSet-phoenix-0f1e2d3c-aaaa-bbbb-cccc-123456789abc)',
      ),
    );
    await expect(choose({ stage: 'qa' }, ['orders'])).rejects.toEqual(new LedgerNotFoundError('no stack phoenix-qa in this region (no Phoenix stack here)'));
  });

  it('a region whose tables the caller may not list: says to pass --table, naming where to find it', async () => {
    const denied = Object.assign(new Error('not authorized to perform: dynamodb:ListTables'), { name: 'AccessDeniedException' });
    await expect(chooseLedger({}, async () => Promise.reject(denied))).rejects.toEqual(
      new LedgerNotFoundError(
        "the region's tables cannot be listed to find it (AccessDeniedException): pass --table NAME, the LedgerTableName output of stack phoenix-<stage>",
      ),
    );
  });

  it('any other listing failure goes on as it is, for the one-line failure report', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    await expect(chooseLedger({}, async () => Promise.reject(refused))).rejects.toBe(refused);
  });
});
