import { existsSync, readFileSync } from 'node:fs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClients, createGroup, launchTemplate, tagInstance } from '../support/aws-fixtures.js';
import { OPTED_IN } from '../support/fleet.js';
import { useMoto } from '../support/moto.js';
import { motoEnvironment, run } from '../support/processes.js';

const moto = useMoto();
const TAINTER = 'dist/functions/tainter/index.mjs';

beforeAll(async () => {
  // The bundle under test is the one this checkout builds, not a stale dist/.
  const build = await run('node', ['scripts/build.mjs']);
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
}, 120_000);

async function invoke(event: unknown, endpoint: string) {
  const script = `const { handler } = await import('./${TAINTER}');
const summary = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 30000, functionName: 'phoenix-tainter', awsRequestId: 'r1' });
process.stdout.write('SUMMARY ' + JSON.stringify(summary) + '\\n');`;
  return run('node', ['--input-type=module', '-e', script], motoEnvironment(endpoint));
}

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** The JSON log lines of an invocation: Powertools writes INFO to stdout and WARN and ERROR to stderr, both of which Lambda keeps. */
function logLines(invocation: { stdout: string; stderr: string }): Record<string, unknown>[] {
  return `${invocation.stdout}\n${invocation.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the built tainter bundle against moto', () => {
  it('tags the instance a Session Manager session reached, and says so in one JSON line', async () => {
    expect(existsSync(TAINTER)).toBe(true);
    const { endpoint } = moto();
    const clients = awsClients(endpoint);
    const [web] = (await createGroup(clients, { name: 'web', size: 1, templateId: await launchTemplate(clients), tags: { ...OPTED_IN } })) as [string];
    const event = fixture('ssm-start-session.json') as { detail: { requestParameters: { target: string } } };
    event.detail.requestParameters.target = web;

    const invocation = await invoke(event, endpoint);

    expect(invocation.code, invocation.stderr).toBe(0);
    expect(JSON.parse(invocation.stdout.split('SUMMARY ')[1] ?? '{}')).toEqual({
      ignored: null,
      cloudTrailEventId: '9f3c2b1a-7d6e-4c5b-8a9f-0e1d2c3b4a51',
      tainted: [web],
      skipped: 0,
    });
    const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [web] }));
    const tag = described.Reservations?.[0]?.Instances?.[0]?.Tags?.find((candidate) => candidate.Key === 'phoenix:tainted')?.Value;
    expect(tag).toBe(
      'at=2026-11-23T09:14:07.000Z;by=arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformEngineer_0f1e2d3c4b5a6978/alice@example.com;via=ssm-session',
    );
    expect(logLines(invocation)).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'tainted', service: 'phoenix', function: 'tainter', group: 'web', instance: web, via: 'ssm-session' }),
    );
  }, 120_000);

  it("holds times to the function's own clock: a taint dated years ahead is overwritten by the real touch", async () => {
    const { endpoint } = moto();
    const clients = awsClients(endpoint);
    const [web] = (await createGroup(clients, { name: 'web', size: 1, templateId: await launchTemplate(clients), tags: { ...OPTED_IN } })) as [string];
    await tagInstance(clients, web, { 'phoenix:tainted': 'at=2099-01-01T00:00:00.000Z;by=mallory;via=ssm-session' });
    const event = fixture('ssm-start-session.json') as { detail: { requestParameters: { target: string } } };
    event.detail.requestParameters.target = web;

    const invocation = await invoke(event, endpoint);

    expect(invocation.code, invocation.stderr).toBe(0);
    const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [web] }));
    const tag = described.Reservations?.[0]?.Instances?.[0]?.Tags?.find((candidate) => candidate.Key === 'phoenix:tainted')?.Value;
    expect(tag).toMatch(/^at=2026-11-23T09:14:07\.000Z;by=.*alice@example\.com;via=ssm-session$/);
    expect(logLines(invocation)).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'future-dated taint overwritten' }));
  }, 120_000);

  it('returns normally on a malformed event, with one warning naming what is wrong', async () => {
    const invocation = await invoke(fixture('malformed-missing-detail.json'), moto().endpoint);
    expect(invocation.code, invocation.stderr).toBe(0);
    const lines = logLines(invocation);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: 'touch ignored',
      service: 'phoenix',
      function: 'tainter',
      reason: 'event.detail is missing: expected the CloudTrail record object',
      eventId: 'ad1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2fd7',
    });
  }, 60_000);
});
