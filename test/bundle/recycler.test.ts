import { existsSync, readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { HOUR } from '../../functions/core/model.js';
import { awsClients, createGroup, instanceIds, launchTemplate } from '../support/aws-fixtures.js';
import { OPTED_IN } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';
import { motoEnvironment, run } from '../support/processes.js';

const moto = useMoto();
const RECYCLER = 'dist/functions/recycler/index.mjs';
const VERIFIER = 'dist/functions/verifier/index.mjs';
const CLI = 'dist/cli/phoenix.mjs';
const TABLE = 'phoenix-ledger';

beforeAll(async () => {
  // The bundles under test are the ones this checkout builds, not a stale dist/.
  const build = await run('node', ['scripts/build.mjs']);
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
}, 120_000);

function scheduled(time: string): Record<string, unknown> {
  return { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', time, region: 'eu-west-1', resources: [], detail: {} };
}

async function invokeRecycler(endpoint: string, time: string, extraEnv: Record<string, string> = {}) {
  return invoke(RECYCLER, scheduled(time), endpoint, extraEnv);
}

async function invoke(bundle: string, event: Record<string, unknown>, endpoint: string, extraEnv: Record<string, string> = {}) {
  const script = `const { handler } = await import('./${bundle}');
const summary = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 60000, functionName: 'phoenix', awsRequestId: 'r1' });
process.stdout.write('SUMMARY ' + JSON.stringify(summary) + '\\n');`;
  return run('node', ['--input-type=module', '-e', script], {
    ...motoEnvironment(endpoint),
    PHOENIX_LEDGER_TABLE: TABLE,
    PHOENIX_MODE: 'live',
    ...extraEnv,
  });
}

describe('the built recycler bundle against moto', () => {
  it('terminates exactly the instance `phoenix plan` chose, and nothing in a group without the opt-in tag', async () => {
    expect(existsSync(RECYCLER)).toBe(true);
    const { endpoint } = moto();
    const clients = awsClients(endpoint);
    await new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint }).send(new CreateTableCommand(ledgerTableInput(TABLE)));
    const templateId = await launchTemplate(clients);
    const web = await createGroup(clients, {
      name: 'web',
      size: 3,
      templateId,
      tags: { ...OPTED_IN, 'phoenix:max-age': '1h', 'phoenix:min-healthy': '60' },
    });
    const payments = await createGroup(clients, { name: 'payments', size: 2, templateId, tags: { 'phoenix:max-age': '1h' } });
    const time = new Date(Date.now() + 2 * HOUR).toISOString();

    const plan = await run('node', [CLI, 'plan', '--json', '--at', time, '--table', TABLE], motoEnvironment(endpoint));
    expect(plan.code, plan.stderr).toBe(0);
    // The built CLI under this Node says which ledger it read and nothing else: no SDK version warning.
    expect(plan.stderr).toBe(`ledger: ${TABLE} (--table)\n`);
    const report = JSON.parse(plan.stdout) as { groups: { group: string; decision: string }[] };
    expect(report.groups.map((group) => group.group)).toEqual(['web']);
    const chosen = /^terminate (i-[0-9a-f]+)$/.exec(report.groups[0]?.decision ?? '')?.[1];
    expect(chosen).toBeDefined();
    expect(await instanceIds(clients, 'web')).toEqual(web);

    const invocation = await invokeRecycler(endpoint, time);
    expect(invocation.code, invocation.stderr).toBe(0);
    expect(invocation.stdout).toContain('SUMMARY {"at":');
    expect(JSON.parse(invocation.stdout.split('SUMMARY ')[1] ?? '{}')).toMatchObject({ terminated: 1, failed: 0 });
    const after = await instanceIds(clients, 'web');
    expect(after).not.toContain(chosen);
    expect(web.filter((id) => id !== chosen).every((id) => after.includes(id))).toBe(true);
    expect(await instanceIds(clients, 'payments')).toEqual(payments);
    // One JSON log line per decision, naming the group.
    const lines = invocation.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line['message'] === 'recycling' && line['group'] === 'web' && line['instance'] === chosen)).toBe(true);
  }, 120_000);

  it("prints a tick's log lines in Powertools' shape, with the Lambda context and the fields the dashboard queries, and its metrics as EMF", async () => {
    const { endpoint } = moto();
    const clients = awsClients(endpoint);
    await new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint }).send(new CreateTableCommand(ledgerTableInput(TABLE)));
    const templateId = await launchTemplate(clients);
    await createGroup(clients, { name: 'web', size: 3, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1h', 'phoenix:min-healthy': '60' } });
    await createGroup(clients, { name: 'closed', size: 1, templateId, tags: { ...OPTED_IN, 'phoenix:window': 'daily 00:00-00:01 UTC' } });
    const time = new Date(Date.now() + 2 * HOUR).toISOString();

    // Lambda sets the initialization type; Powertools reports a cold start only for an on-demand one.
    const lambda = { PHOENIX_STAGE: 'test', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' };
    const invocation = await invokeRecycler(endpoint, time, lambda);
    expect(invocation.code, invocation.stderr).toBe(0);
    const printed = invocation.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('SUMMARY '));
    // One JSON object a line, nothing else: Logs Insights and the EMF parser read lines.
    const lines = printed.map((line) => JSON.parse(line) as Record<string, unknown>);
    const logs = lines.filter((line) => !('_aws' in line));
    const context = { service: 'phoenix', function: 'recycler', stage: 'test', cold_start: true, function_name: 'phoenix', function_request_id: 'r1' };
    for (const line of logs) expect(line).toMatchObject({ ...context, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'recycling', group: 'web', reason: 'max-age', method: 'terminate' }));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'not terminating', group: 'closed', reason: 'outside-window' }));
    expect(logs).toContainEqual(expect.objectContaining({ message: 'run done', terminated: 1, failed: 0 }));

    const metrics = lines.filter((line) => '_aws' in line);
    const namespaces = metrics.map((line) => (line['_aws'] as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace);
    expect(new Set(namespaces)).toEqual(new Set(['Phoenix']));
    expect(metrics).toContainEqual(expect.objectContaining({ Recycled: 1, reason: 'max-age', group: 'web', service: 'phoenix' }));
    expect(metrics).toContainEqual(expect.objectContaining({ Skipped: 1, reason: 'outside-window' }));
    expect(metrics).toContainEqual(expect.objectContaining({ function: 'recycler', TickDurationMs: expect.any(Number), ApiCalls: expect.any(Number) }));
    const calls = metrics.find((line) => 'ApiCalls' in line)?.['ApiCalls'];
    // Discovery (groups, instances, templates), the ledger, the re-check, the termination and its event at least.
    expect(calls).toBeGreaterThanOrEqual(6);

    // The level comes from POWERTOOLS_LOG_LEVEL: at WARN the decisions are not printed, the metrics still are.
    const quiet = await invokeRecycler(endpoint, new Date(Date.now() + 3 * HOUR).toISOString(), { ...lambda, POWERTOOLS_LOG_LEVEL: 'WARN' });
    expect(quiet.code, quiet.stderr).toBe(0);
    const quietLines = quiet.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(quietLines.filter((line) => line['level'] === 'INFO')).toEqual([]);
    expect(quietLines.some((line) => 'TickDurationMs' in line)).toBe(true);
  }, 120_000);

  it('the verifier bundle finishes a surge on the Auto Scaling event, then verifies the recovery', async () => {
    const { endpoint } = moto();
    const clients = awsClients(endpoint);
    await new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint }).send(new CreateTableCommand(ledgerTableInput(TABLE)));
    const templateId = await launchTemplate(clients);
    const original = await createGroup(clients, { name: 'api', size: 2, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1h' } });
    const start = Date.now() + 2 * HOUR;
    const surge = await invokeRecycler(endpoint, new Date(start).toISOString());
    expect(surge.code, surge.stderr).toBe(0);
    expect(await instanceIds(clients, 'api')).toHaveLength(3);
    const launched = {
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance Launch Successful',
      time: new Date(start + 60_000).toISOString(),
      detail: { AutoScalingGroupName: 'api' },
    };
    const finish = await invoke(VERIFIER, launched, endpoint);
    expect(finish.code, finish.stderr).toBe(0);
    expect(JSON.parse(finish.stdout.split('SUMMARY ')[1] ?? '{}')).toMatchObject({ terminated: 1 });
    const remaining = await instanceIds(clients, 'api');
    expect(remaining).toHaveLength(2);
    expect(original.filter((id) => remaining.includes(id))).toHaveLength(1);
    const terminated = { ...launched, 'detail-type': 'EC2 Instance Terminate Successful', time: new Date(start + 120_000).toISOString() };
    const verified = await invoke(VERIFIER, terminated, endpoint);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout.split('SUMMARY ')[1] ?? '{}')).toMatchObject({ closed: 1, terminated: 0 });
    expect(verified.stdout).toContain('"message":"replacement verified"');
  }, 120_000);

  it.each([
    { case: 'mode unset', env: { PHOENIX_MODE: '' }, says: 'PHOENIX_MODE=' },
    { case: 'mode misspelled', env: { PHOENIX_MODE: 'on' }, says: 'PHOENIX_MODE="on": expected live, dry-run, off' },
    { case: 'bad blackout', env: { PHOENIX_BLACKOUTS: '2026-13-01' }, says: 'PHOENIX_BLACKOUTS' },
  ])(
    'refuses to start on a misconfigured deploy parameter ($case), naming it',
    async ({ env, says }) => {
      const invocation = await invokeRecycler(moto().endpoint, new Date().toISOString(), env);
      expect(invocation.code).not.toBe(0);
      expect(invocation.stderr).toContain(says);
    },
    60_000,
  );

  it('rejects an event without a time and changes nothing', async () => {
    const script = `const { handler } = await import('./${RECYCLER}'); await handler({ source: 'aws.events' }, {});`;
    const invocation = await run('node', ['--input-type=module', '-e', script], {
      ...motoEnvironment(moto().endpoint),
      PHOENIX_LEDGER_TABLE: TABLE,
      PHOENIX_MODE: 'live',
    });
    expect(invocation.code).not.toBe(0);
    expect(invocation.stderr).toContain('event.time=(unset): expected an EventBridge scheduled event');
  }, 60_000);
});

describe('the built verifier bundle against moto, given a CloudTrail record of a snooze tag write', () => {
  it('keeps who set the snooze on its ledger item, out of every index until a tick marks it, and logs it without a warning', async () => {
    const { endpoint } = moto();
    await new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint }).send(new CreateTableCommand(ledgerTableInput(TABLE)));
    const event = JSON.parse(readFileSync('test/events/autoscaling-create-or-update-tags-snooze.json', 'utf8')) as Record<string, unknown>;
    const invocation = await invoke(VERIFIER, event, endpoint);
    expect(invocation.code, invocation.stderr).toBe(0);
    expect(JSON.parse(invocation.stdout.split('SUMMARY ')[1] ?? '{}')).toEqual({
      ignored: null,
      cloudTrailEventId: 'c41f7a92-3e5d-4b08-a6c1-9d2e8b7f0a35',
      noted: ['web'],
      earlierKept: [],
      skipped: 0,
    });
    const setAt = Date.UTC(2026, 10, 25, 8, 31, 42);
    const item = await DynamoDBDocumentClient.from(new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint })).send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'GROUP#web', sk: 'SNOOZE#2026-11-25T17:00:00.000Z' } }),
    );
    expect(item.Item).toEqual({
      pk: 'GROUP#web',
      sk: 'SNOOZE#2026-11-25T17:00:00.000Z',
      setBy: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_WebTeam_5c4d3e2f1a0b9c8d/bob@example.com',
      setAt,
      expiresAt: setAt / 1000 + 90 * 86_400,
    });
    expect(invocation.stdout).toContain('"message":"snooze setter noted"');
    // Not a run of the verifier's tick: no run metrics, and no warning that there are none.
    expect(`${invocation.stdout}\n${invocation.stderr}`.split('\n').filter((line) => line.startsWith('{"level":"WARN"'))).toEqual([]);
  }, 60_000);
});
