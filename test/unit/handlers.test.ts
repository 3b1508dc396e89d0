import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Every client the functions create: a call through any of them is counted here, none leaves the process. */
const clients = [
  mockClient(AutoScalingClient),
  mockClient(EC2Client),
  mockClient(DynamoDBClient),
  mockClient(DynamoDBDocumentClient),
  mockClient(EventBridgeClient),
  mockClient(CloudWatchClient),
  mockClient(SSMClient),
];
const awsCalls = (): number => clients.reduce((sum, client) => sum + client.calls().length, 0);

const VALID = { PHOENIX_LEDGER_TABLE: 'phoenix-ledger', PHOENIX_MODE: 'live', AWS_REGION: 'eu-west-1' };
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-23T12:00:00Z' };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const HANDLERS: Record<'recycler' | 'verifier', () => Promise<{ handler: Handler }>> = {
  recycler: () => import('../../functions/recycler.js'),
  verifier: () => import('../../functions/verifier.js'),
};

/** A cold start: the module is evaluated afresh under the given environment. */
async function coldStart(name: keyof typeof HANDLERS, env: Readonly<Record<string, string>>): Promise<{ handler: Handler }> {
  for (const [key, value] of Object.entries({ ...VALID, ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  return HANDLERS[name]();
}

beforeEach(() => {
  for (const client of clients) client.reset();
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => {
  for (const client of clients) client.restore();
});

describe('a function with a misconfigured deploy parameter', () => {
  it.each<{ case: string; name: keyof typeof HANDLERS; env: Record<string, string>; says: RegExp }>([
    {
      case: 'recycler, per-run limit not a number',
      name: 'recycler',
      env: { PHOENIX_MAX_TERMINATIONS_PER_RUN: 'ten' },
      says: /^PHOENIX_MAX_TERMINATIONS_PER_RUN="ten": expected a whole number from 0 to 1000$/,
    },
    {
      case: 'recycler, schedule with a unit',
      name: 'recycler',
      env: { PHOENIX_SCHEDULE_MINUTES: '10m' },
      says: /^PHOENIX_SCHEDULE_MINUTES="10m": expected a whole number/,
    },
    {
      case: 'verifier, per-run limit not a number',
      name: 'verifier',
      env: { PHOENIX_MAX_TERMINATIONS_PER_RUN: 'ten' },
      says: /^PHOENIX_MAX_TERMINATIONS_PER_RUN="ten"/,
    },
    { case: 'verifier, mode misspelled', name: 'verifier', env: { PHOENIX_MODE: 'on' }, says: /^PHOENIX_MODE="on": expected live, dry-run, off$/ },
    { case: 'verifier, ledger table unset', name: 'verifier', env: { PHOENIX_LEDGER_TABLE: '' }, says: /^PHOENIX_LEDGER_TABLE=/ },
  ])('$case: refuses to start, naming the variable, before any AWS call', async ({ name, env, says }) => {
    const start = coldStart(name, env);
    await expect(start).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringMatching(says) });
    expect(awsCalls()).toBe(0);
  });

  it.each<{ name: keyof typeof HANDLERS }>([{ name: 'recycler' }, { name: 'verifier' }])(
    'the $name with a valid configuration starts, and its first run does reach AWS (so the count above would see a call)',
    async ({ name }) => {
      const { handler } = await coldStart(name, {});
      // The mocks answer nothing, so the run fails; what matters is that it called AWS at all.
      await handler(SCHEDULED, {}).catch(() => undefined);
      expect(awsCalls()).toBeGreaterThan(0);
    },
  );
});
