import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS, cli, NO_AWS, STACK_LINE } from '../../support/cli.js';
import { NOW } from '../../support/clock.js';

const autoScaling = mockClient(AutoScalingClient);
const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);
const ENV = { ...NO_AWS, ...CREDENTIALS, AWS_REGION: 'eu-west-1', PHOENIX_LEDGER_TABLE: undefined };

afterEach(() => {
  autoScaling.reset();
  dynamo.reset();
  documents.reset();
});

describe('phoenix plan finds the deployed ledger without flags', () => {
  it('reads the ledger of the one stack in the region and says which table it read', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    dynamo.on(ListTablesCommand).resolves({ TableNames: ['orders', 'phoenix-prod-LedgerTable-ABC123'] });
    documents.on(QueryCommand).resolves({ Items: [] });
    const result = await cli(['plan', '--json'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('ledger: phoenix-prod-LedgerTable-ABC123 (the only Phoenix stack in this region, phoenix-prod)');
    expect(JSON.parse(result.stdout)).toEqual({
      at: new Date(NOW).toISOString(),
      ledger: 'read',
      ledgerTable: 'phoenix-prod-LedgerTable-ABC123',
      blockedVersions: [],
      summary: { actions: {}, reasons: {} },
      groups: [],
    });
    expect(documents.commandCalls(QueryCommand).every((call) => call.args[0].input.TableName === 'phoenix-prod-LedgerTable-ABC123')).toBe(true);
  });

  it('with no stack deployed, plans without a ledger and says so', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    dynamo.on(ListTablesCommand).resolves({ TableNames: ['orders'] });
    const result = await cli(['plan'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')).toEqual([
      'ledger: none: no Phoenix stack deployed in this region (pass --region, --stage or --table)',
      'no ledger table: budgets, replacements in flight and blocked versions are not taken into account',
    ]);
    expect(result.stdout).toMatch(/^Phoenix plan at .* \(no ledger\)/);
    expect(documents.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('with two stacks, asks for --stage in one line, exit 2, before reading the fleet', async () => {
    dynamo.on(ListTablesCommand).resolves({ TableNames: ['phoenix-dev-LedgerTable-A', 'phoenix-prod-LedgerTable-B'] });
    const result = await cli(['plan'], ENV);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'several Phoenix stacks in this region (phoenix-dev, phoenix-prod): pass --stage or --table to choose one',
    });
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
  });

  it('plan for a stage not deployed here: one line naming the stages that are, exit 1, before reading the fleet', async () => {
    dynamo.on(ListTablesCommand).resolves({ TableNames: ['phoenix-dev-LedgerTable-A'] });
    const result = await cli(['plan', '--stage', 'prod'], ENV);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'phoenix plan: no ledger to read: no stack phoenix-prod in this region (stacks here: phoenix-dev)',
    });
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
  });

  it('report without a ledger to read: one line, exit 1', async () => {
    dynamo.on(ListTablesCommand).resolves({ TableNames: ['phoenix-dev-LedgerTable-A'] });
    const result = await cli(['report', '--stage', 'prod', '--week', '2026-W47'], ENV);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('phoenix report: no ledger to read: no stack phoenix-prod in this region (stacks here: phoenix-dev)');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
