import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS, cli, NO_AWS, STACK_LINE } from '../../support/cli.js';

describe('a missing ledger table', () => {
  const autoScaling = mockClient(AutoScalingClient);
  const dynamo = mockClient(DynamoDBDocumentClient);
  afterEach(() => {
    autoScaling.reset();
    dynamo.reset();
  });

  it('report names the table and how to choose another, in one line, exit 1', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    dynamo.onAnyCommand().rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }));
    const result = await cli(['report', '--week', '2026-W47', '--table', 'absent', '--region', 'eu-west-1'], { ...NO_AWS, ...CREDENTIALS });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'ledger: absent (--table)\nphoenix report: ledger table absent not found (pass --stage or --table, or set PHOENIX_LEDGER_TABLE): Requested resource not found',
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
