import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { COMMAND_USAGE, USAGE } from '../../functions/cli/usage.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { isoWeekBounds } from '../../functions/core/report/iso-week.js';
import { awsClients, createGroup, launchTemplate } from '../support/aws-fixtures.js';
import { cli, STACK_LINE } from '../support/cli.js';
import { OPTED_IN, record } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG } from '../support/moto.js';
import { startMoto } from '../support/moto-server.js';
import { motoEnvironment } from '../support/processes.js';

const DOC = readFileSync('docs/cli.md', 'utf8');
/** The ledger of stack phoenix-prod, named as CloudFormation names it. */
const TABLE = 'phoenix-prod-LedgerTable-1DOCS2EXAMPLE3';

/** Words of a command line as a POSIX shell splits them: spaces separate, single quotes keep text whole. */
function words(line: string): string[] {
  const found: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|(\S+)/g)) found.push(match[1] ?? match[2] ?? '');
  return found;
}

/** Every phoenix command the page shows, in its order: the lines of its sh blocks and each usage's example. */
function documentedCommands(text: string): string[] {
  const commands: string[] = [];
  let inShell = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inShell = line === '```sh';
    // The README runs it from a checkout as `npx phoenix`, and sends one report to a file.
    else if (inShell && /^(npx )?phoenix /.test(line))
      commands.push(
        line
          .replace(/^npx /, '')
          .replace(/\s+#.*$/, '')
          .replace(/\s+>\s+\S+$/, ''),
      );
    else if (line.startsWith('example: phoenix ')) commands.push(line.slice('example: '.length));
  }
  // A usage's example repeated in a block below it runs once, where it first appears.
  return [...new Set(commands)];
}

const COMMANDS = documentedCommands(DOC);
/** The README's front page shows a few commands of its own: they are run too, after the page's. */
const README_COMMANDS = documentedCommands(readFileSync('README.md', 'utf8')).filter((line) => !COMMANDS.includes(line));

describe('docs/cli.md', () => {
  it('shows what phoenix --help and phoenix help COMMAND print, for every command', () => {
    expect(DOC, 'docs/cli.md must show the output of `phoenix --help` as it is').toContain(`\`\`\`text\n${USAGE}\n\`\`\``);
    for (const [command, usage] of Object.entries(COMMAND_USAGE)) {
      expect(DOC, `docs/cli.md must show the output of \`phoenix help ${command}\` as it is`).toContain(`\`\`\`text\n${usage}\n\`\`\``);
    }
  });

  it('runs every command at least once', () => {
    for (const command of Object.keys(COMMAND_USAGE))
      expect(
        COMMANDS.some((line) => words(line)[1] === command),
        command,
      ).toBe(true);
  });
});

/**
 * The stack's functions as Lambda describes them, for `phoenix selftest --plan` (moto cannot run them,
 * and the plan does not): a role, the recycler with the stack's settings, the tainter and the verifier
 * (whose log group the plan reads), and the mode parameter.
 */
async function deployFunctions(endpoint: string): Promise<void> {
  const role = 'phoenix-prod-recycler';
  // moto holds IAM roles; this test has no IAM client, and moto reads a Query request without a signature.
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const created = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: role, AssumeRolePolicyDocument: trust }).toString(),
  });
  if (!created.ok) throw new Error(`moto CreateRole: ${created.status} ${await created.text()}`);
  const config = { ...MOTO_CLIENT_CONFIG, endpoint };
  const emptyZip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
  const variables: Readonly<Record<string, Record<string, string>>> = {
    recycler: { PHOENIX_LEDGER_TABLE: TABLE, PHOENIX_MODE_PARAMETER: '/phoenix/prod/mode', PHOENIX_STOP_ALARMS: '' },
    tainter: { PHOENIX_EVENT_BUS: 'phoenix-prod' },
    verifier: { PHOENIX_LEDGER_TABLE: TABLE, PHOENIX_MODE_PARAMETER: '/phoenix/prod/mode', PHOENIX_STOP_ALARMS: '' },
  };
  for (const [fn, environment] of Object.entries(variables))
    await new LambdaClient(config).send(
      new CreateFunctionCommand({
        FunctionName: `phoenix-prod-${fn}`,
        Runtime: 'nodejs22.x',
        Role: `arn:aws:iam::123456789012:role/${role}`,
        Handler: 'index.handler',
        Code: { ZipFile: emptyZip },
        Environment: { Variables: environment },
      }),
    );
  await new SSMClient(config).send(new PutParameterCommand({ Name: '/phoenix/prod/mode', Value: 'dry-run', Type: 'String' }));
}

describe('every command docs/cli.md and the README show, run in their order against a deployed stack in moto', () => {
  let env: Record<string, string> = {};
  beforeAll(async () => {
    const moto = await startMoto();
    env = motoEnvironment(moto.endpoint);
    const clients = awsClients(moto.endpoint);
    const templateId = await launchTemplate(clients);
    await createGroup(clients, {
      name: 'web-frontend',
      size: 2,
      templateId,
      tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:quarantined': 'recovery failed' },
    });
    await createGroup(clients, { name: 'web-api', size: 1, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1d' } });
    for (const name of ['team-a-web', 'team-a-api']) await createGroup(clients, { name, size: 1, templateId, tags: {} });
    const dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
    await dynamo.send(new CreateTableCommand(ledgerTableInput(TABLE)));
    const ledger = new DynamoLedger({ client: dynamo, tableName: TABLE, clock: () => Date.now() });
    const monday = isoWeekBounds('2026-W47', 'UTC').start;
    const closed = (id: string, at: number) =>
      record({ id, group: 'web-frontend', startedAt: at, terminatedAt: at + 2 * MINUTE, closedAt: at + 9 * MINUTE, phase: 'verified' });
    await ledger.begin(closed('web-frontend#1', monday + DAY));
    await ledger.begin(closed('web-frontend#2', Date.now() - 2 * DAY));
    // The versions the page releases, blocked as the breaker blocks them.
    for (const key of ['lt-0abc123:7', 'ami-0abc1234def567890']) {
      const health = await ledger.noteFailure(key, { group: 'web-api', at: Date.now() - DAY, recordId: 'web-api#1', canary: true });
      await ledger.blockVersion(
        { key, blockedAt: Date.now() - DAY, why: 'its canary replacement in web-api failed to recover', trippedBy: 'web-api#1' },
        health,
      );
    }
    await deployFunctions(moto.endpoint);
    return () => moto.stop();
  }, 60_000);

  it.each([...COMMANDS, ...README_COMMANDS].map((line) => ({ line })))(
    '$line',
    async ({ line }) => {
      const result = await cli(words(line).slice(1), { ...env, PHOENIX_LEDGER_TABLE: undefined }, Date.now());
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toBe('');
      expect(result.stderr).not.toMatch(STACK_LINE);
      if (/^phoenix (plan|forecast|report|history|release --)/.test(line)) expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`^ledger: ${TABLE} \\(`));
      if (/^phoenix release --/.test(line)) expect(result.stdout).toMatch(/^released (lt-0abc123:7|ami-0abc1234def567890) \(blocked /);
    },
    60_000,
  );
});
