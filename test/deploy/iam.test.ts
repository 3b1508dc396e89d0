import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedContextKeysForRequest, type EvaluationResult, isWildcardOnlyAction, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, functionPrincipal, getAtt, type NamedPolicy, PARTITION, type Principal, packagedTemplate, resolve, rolePrincipal, STACK } from './roles.js';
import { asObject, type FUNCTIONS, field, type Json, listOf, maybe, REGION, ROOT, resourcesOfType, STAGE, stringsOf } from './stack.js';

/**
 * The roles as IAM would judge them. The packaged template's policies, with every intrinsic resolved
 * to a concrete ARN of one fixed account (roles.ts), go to a third-party IAM evaluator
 * (@cloud-copilot/iam-simulate, which also checks each action, resource type and condition key
 * against the AWS service reference it ships): named requests each role must be allowed, and ones it
 * must be refused.
 */

const EVALUATOR = ['iam-simulate', 'iam-data']
  .map(
    (name) =>
      `@cloud-copilot/${name} ${String(field(JSON.parse(readFileSync(join(ROOT, `node_modules/@cloud-copilot/${name}/package.json`), 'utf8')) as Json, 'version'))}`,
  )
  .join(' with ');

/** Someone else in the account, allowed everything by their own policy (an administrator, or a compromised automation). */
const ACCOUNT_ADMIN: Principal = {
  session: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/Administrator/someone`,
  arn: `arn:${PARTITION}:iam::${ACCOUNT}:role/Administrator`,
  policies: [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
};

/** AWS's default SCP: without an Allow at every level of the organisation, nothing is allowed. */
const FULL_AWS_ACCESS: NamedPolicy = { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

/** Someone the organisation lets opt groups in: an IAM Identity Center role the example SCP names. */
const OPT_IN_ROLE = 'AWSReservedSSO_PhoenixOptIn_0123456789abcdef';
const OPT_IN_PERSON: Principal = {
  session: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${OPT_IN_ROLE}/alice`,
  arn: `arn:${PARTITION}:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${REGION}/${OPT_IN_ROLE}`,
  policies: ACCOUNT_ADMIN.policies,
};

/** The example SCP of docs/iam.md, which reserves the phoenix: tag keys. */
const SCP_FILE = 'infra/scp-reserve-phoenix-tags.json';
const SCP: NamedPolicy = { name: SCP_FILE, policy: JSON.parse(readFileSync(join(ROOT, SCP_FILE), 'utf8')) as Json };

// --- Requests ------------------------------------------------------------------------------------

type Context = Readonly<Record<string, string | readonly string[]>>;

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Context;
}

/** What a case expects: allowed, refused for any reason, or refused by an explicit Deny. */
type Expected = 'Allowed' | 'Denied' | 'ExplicitlyDenied';

const GROUP = `arn:${PARTITION}:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:6d3c1f0e-8f6a-4a55-9c1d-2a7e0c9b1f42:autoScalingGroupName/web`;
const INSTANCE = `arn:${PARTITION}:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
const VOLUME = `arn:${PARTITION}:ec2:${REGION}:${ACCOUNT}:volume/vol-0123456789abcdef0`;
const DEFAULT_BUS = `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/default`;
const PHOENIX_BUS = `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/phoenix-${STAGE}`;

/** A group's phoenix:enabled tag as Auto Scaling puts it in the request context (absent: no tag). */
const optIn = (value: string | undefined): Context =>
  value === undefined ? {} : { 'autoscaling:ResourceTag/phoenix:enabled': value, 'aws:ResourceTag/phoenix:enabled': value };
/** An instance that Auto Scaling launched carries its group's name. */
const IN_A_GROUP: Context = { 'ec2:ResourceTag/aws:autoscaling:groupName': 'web', 'aws:ResourceTag/aws:autoscaling:groupName': 'web' };
const tagKeys = (...keys: string[]): Context => ({ 'aws:TagKeys': keys });
const sources = (...names: string[]): Context => ({ 'events:source': names });

/**
 * Capacity calls reach every group that carries phoenix:enabled, so a surge can be taken back exactly
 * after its team braked with false, dry-run or a typo; a group never tagged stays out of reach.
 */
const OPT_IN_VALUES = [
  { label: 'phoenix:enabled=true', value: 'true', expected: 'Allowed' },
  { label: 'no phoenix:enabled tag', value: undefined, expected: 'Denied' },
  { label: 'phoenix:enabled=false (to take a surge back)', value: 'false', expected: 'Allowed' },
  { label: 'phoenix:enabled=dry-run (to take a surge back)', value: 'dry-run', expected: 'Allowed' },
  { label: 'phoenix:enabled="true " (to take a surge back)', value: 'true ', expected: 'Allowed' },
] as const;

interface Case extends Request {
  readonly case: string;
  readonly expected: Expected;
}

/** What no function may do, whatever the group or instance. */
const NEVER: readonly Case[] = [
  {
    case: 'ec2:TerminateInstances on an instance of an opted-in group: denied',
    action: 'ec2:TerminateInstances',
    resource: INSTANCE,
    context: IN_A_GROUP,
    expected: 'Denied',
  },
  {
    case: "DeleteTags phoenix:quarantined on an opted-in group (lifting a quarantine is a person's call): denied",
    action: 'autoscaling:DeleteTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') },
    expected: 'Denied',
  },
  {
    case: 'DeleteTags phoenix:enabled on an opted-in group: denied',
    action: 'autoscaling:DeleteTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:enabled') },
    expected: 'Denied',
  },
  {
    case: 'PutEvents source phoenix on the default bus (Phoenix publishes to its own bus): denied',
    action: 'events:PutEvents',
    resource: DEFAULT_BUS,
    context: sources('phoenix'),
    expected: 'Denied',
  },
];

/** Every function publishes its events with source phoenix on the Phoenix bus, and nothing else there. */
const PUBLISHING: readonly Case[] = [
  {
    case: 'PutEvents source phoenix on the Phoenix bus: allowed',
    action: 'events:PutEvents',
    resource: PHOENIX_BUS,
    context: sources('phoenix'),
    expected: 'Allowed',
  },
  {
    case: 'PutEvents another source on the Phoenix bus: denied',
    action: 'events:PutEvents',
    resource: PHOENIX_BUS,
    context: sources('com.example.billing'),
    expected: 'Denied',
  },
  {
    case: 'PutEvents source phoenix and another in one call: denied',
    action: 'events:PutEvents',
    resource: PHOENIX_BUS,
    context: sources('phoenix', 'com.example.billing'),
    expected: 'Denied',
  },
  { case: 'PutEvents with no source: denied', action: 'events:PutEvents', resource: PHOENIX_BUS, context: sources(), expected: 'Denied' },
];

const LEDGER = `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${STACK}-LedgerTable-1A2B3C4D5E6F`;

/** The ledger reads and writes a run makes (functions/adapters/ledger*.ts), and no other table. */
const LEDGER_CASES: readonly Case[] = [
  { case: "Query the byStart index (the tick's read): allowed", action: 'dynamodb:Query', resource: `${LEDGER}/index/byStart`, expected: 'Allowed' },
  { case: "Query the open index (the verifier's read): allowed", action: 'dynamodb:Query', resource: `${LEDGER}/index/open`, expected: 'Allowed' },
  { case: "Query the table (a group's records): allowed", action: 'dynamodb:Query', resource: LEDGER, expected: 'Allowed' },
  { case: 'UpdateItem on the table (version state): allowed', action: 'dynamodb:UpdateItem', resource: LEDGER, expected: 'Allowed' },
  {
    case: 'Query another table: denied',
    action: 'dynamodb:Query',
    resource: `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/orders`,
    expected: 'Denied',
  },
];

/** A group's phoenix:max-surge tag, beside phoenix:enabled=true, as Auto Scaling puts them in the request context. */
const maxSurge = (value: string | undefined): Context => ({
  ...optIn('true'),
  ...(value === undefined ? {} : { 'autoscaling:ResourceTag/phoenix:max-surge': value, 'aws:ResourceTag/phoenix:max-surge': value }),
});

/**
 * UpdateAutoScalingGroup with MaxSize, only on groups tagged exactly phoenix:max-surge=1, and with nothing
 * else the condition keys can see: never MinSize, a launch template, subnets, types or an image, never max 0.
 */
const MAX_SIZE_CASES: readonly Case[] = [
  {
    case: 'MaxSize 5 on a group with phoenix:max-surge=1 (raising max for a surge): allowed',
    context: { ...maxSurge('1'), 'autoscaling:MaxSize': '5' },
    expected: 'Allowed',
  },
  {
    case: 'MaxSize 4 on a group with phoenix:max-surge=1 (putting it back): allowed',
    context: { ...maxSurge('1'), 'autoscaling:MaxSize': '4' },
    expected: 'Allowed',
  },
  { case: 'MaxSize on a group without phoenix:max-surge: denied', context: { ...maxSurge(undefined), 'autoscaling:MaxSize': '5' }, expected: 'Denied' },
  {
    case: 'MaxSize on a group with phoenix:max-surge=true (a bad tag): denied',
    context: { ...maxSurge('true'), 'autoscaling:MaxSize': '5' },
    expected: 'Denied',
  },
  {
    case: 'MaxSize on a group with phoenix:max-surge=1 but no phoenix:enabled: denied',
    context: { 'autoscaling:ResourceTag/phoenix:max-surge': '1', 'aws:ResourceTag/phoenix:max-surge': '1', 'autoscaling:MaxSize': '5' },
    expected: 'Denied',
  },
  { case: 'MaxSize 0 (which would take desired to 0): denied', context: { ...maxSurge('1'), 'autoscaling:MaxSize': '0' }, expected: 'Denied' },
  { case: 'an update without MaxSize: denied', context: maxSurge('1'), expected: 'Denied' },
  { case: 'MaxSize with MinSize: denied', context: { ...maxSurge('1'), 'autoscaling:MaxSize': '5', 'autoscaling:MinSize': '5' }, expected: 'Denied' },
  {
    case: 'MaxSize with a launch template version: denied',
    context: { ...maxSurge('1'), 'autoscaling:MaxSize': '5', 'autoscaling:LaunchTemplateVersionSpecified': 'true' },
    expected: 'Denied',
  },
  {
    case: 'MaxSize with new subnets: denied',
    context: { ...maxSurge('1'), 'autoscaling:MaxSize': '5', 'autoscaling:VPCZoneIdentifiers': ['subnet-0123456789abcdef0'] },
    expected: 'Denied',
  },
].map((entry) => ({ ...entry, case: `UpdateAutoScalingGroup ${entry.case}`, action: 'autoscaling:UpdateAutoScalingGroup', resource: GROUP }) as Case);

/** What the functions that never change a group's size may not do, even where the recycler may. */
const NO_MAX_SIZE: Case = {
  case: 'UpdateAutoScalingGroup MaxSize on a group with phoenix:max-surge=1: denied',
  action: 'autoscaling:UpdateAutoScalingGroup',
  resource: GROUP,
  context: { ...maxSurge('1'), 'autoscaling:MaxSize': '5' },
  expected: 'Denied',
};

const TICK_CASES: readonly Case[] = [
  ...LEDGER_CASES,
  ...MAX_SIZE_CASES,
  ...OPT_IN_VALUES.flatMap(({ label, value, expected }) => [
    {
      case: `TerminateInstanceInAutoScalingGroup on a group with ${label}: ${expected.toLowerCase()}`,
      action: 'autoscaling:TerminateInstanceInAutoScalingGroup',
      resource: GROUP,
      context: optIn(value),
      expected,
    },
    {
      case: `SetDesiredCapacity on a group with ${label}: ${expected.toLowerCase()}`,
      action: 'autoscaling:SetDesiredCapacity',
      resource: GROUP,
      context: optIn(value),
      expected,
    },
  ]),
  {
    case: 'CreateOrUpdateTags phoenix:quarantined on an opted-in group: allowed',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') },
    expected: 'Allowed',
  },
  {
    case: 'CreateOrUpdateTags phoenix:quarantined on a group with no phoenix:enabled tag: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: tagKeys('phoenix:quarantined'),
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags phoenix:quarantined on a group with phoenix:enabled=dry-run: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('dry-run'), ...tagKeys('phoenix:quarantined') },
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags phoenix:budget on an opted-in group: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:budget') },
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags phoenix:enabled on an opted-in group: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:enabled') },
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags phoenix:quarantined and phoenix:budget in one call: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:quarantined', 'phoenix:budget') },
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags with an empty key list: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys() },
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags with no key list at all: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: optIn('true'),
    expected: 'Denied',
  },
  {
    case: "ec2:CreateTags phoenix:tainted on an instance (the tainter's job): denied",
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') },
    expected: 'Denied',
  },
  ...NEVER,
  ...PUBLISHING,
];

const TAINTER_CASES: readonly Case[] = [
  NO_MAX_SIZE,
  {
    case: 'ec2:CreateTags phoenix:tainted on an instance of an Auto Scaling group: allowed',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') },
    expected: 'Allowed',
  },
  {
    case: 'ec2:CreateTags phoenix:exempt on such an instance: denied',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:exempt') },
    expected: 'Denied',
  },
  {
    case: 'ec2:CreateTags Name on such an instance: denied',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('Name') },
    expected: 'Denied',
  },
  {
    case: 'ec2:CreateTags phoenix:tainted and phoenix:exempt in one call: denied',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted', 'phoenix:exempt') },
    expected: 'Denied',
  },
  {
    case: 'ec2:CreateTags with an empty key list: denied',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys() },
    expected: 'Denied',
  },
  {
    case: 'ec2:CreateTags phoenix:tainted on an instance no Auto Scaling group launched: denied',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: tagKeys('phoenix:tainted'),
    expected: 'Denied',
  },
  {
    case: 'ec2:CreateTags phoenix:tainted on a volume (not an instance): denied',
    action: 'ec2:CreateTags',
    resource: VOLUME,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') },
    expected: 'Denied',
  },
  {
    case: 'ec2:DeleteTags phoenix:tainted on an instance: denied',
    action: 'ec2:DeleteTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') },
    expected: 'Denied',
  },
  {
    case: 'TerminateInstanceInAutoScalingGroup on an opted-in group: denied',
    action: 'autoscaling:TerminateInstanceInAutoScalingGroup',
    resource: GROUP,
    context: optIn('true'),
    expected: 'Denied',
  },
  {
    case: 'SetDesiredCapacity on an opted-in group: denied',
    action: 'autoscaling:SetDesiredCapacity',
    resource: GROUP,
    context: optIn('true'),
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags phoenix:quarantined on an opted-in group: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') },
    expected: 'Denied',
  },
  ...NEVER,
  ...PUBLISHING,
];

const REPORTER_CASES: readonly Case[] = [
  { case: "Query the byDay index (the report's week): allowed", action: 'dynamodb:Query', resource: `${LEDGER}/index/byDay`, expected: 'Allowed' },
  {
    case: 'Query the open index (the blocked versions it shows first): allowed',
    action: 'dynamodb:Query',
    resource: `${LEDGER}/index/open`,
    expected: 'Allowed',
  },
  { case: 'UpdateItem on the ledger: denied', action: 'dynamodb:UpdateItem', resource: LEDGER, expected: 'Denied' },
  NO_MAX_SIZE,
  {
    case: 'TerminateInstanceInAutoScalingGroup on an opted-in group: denied',
    action: 'autoscaling:TerminateInstanceInAutoScalingGroup',
    resource: GROUP,
    context: optIn('true'),
    expected: 'Denied',
  },
  {
    case: 'SetDesiredCapacity on an opted-in group: denied',
    action: 'autoscaling:SetDesiredCapacity',
    resource: GROUP,
    context: optIn('true'),
    expected: 'Denied',
  },
  {
    case: 'CreateOrUpdateTags phoenix:quarantined on an opted-in group: denied',
    action: 'autoscaling:CreateOrUpdateTags',
    resource: GROUP,
    context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') },
    expected: 'Denied',
  },
  {
    case: 'ec2:CreateTags phoenix:tainted on an instance: denied',
    action: 'ec2:CreateTags',
    resource: INSTANCE,
    context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') },
    expected: 'Denied',
  },
  ...NEVER,
  ...PUBLISHING,
];

// --- The evaluator -------------------------------------------------------------------------------

let work: string;
let template: Json;
/** Resource policies by the ARN they guard: the Phoenix bus's. */
let resourcePolicies: ReadonlyMap<string, Json>;

const principalOf = (fn: keyof typeof FUNCTIONS): Principal => functionPrincipal(template, fn);

/** The evaluator's decision on one request, in strict mode, under the given service control policies (besides FullAWSAccess); a request or policy it cannot validate throws, as does a context key it would ignore. */
async function decide(principal: Principal, request: Request, scps: readonly NamedPolicy[] = []): Promise<EvaluationResult> {
  const contextVariables: Record<string, string | string[]> = { 'aws:PrincipalArn': principal.arn, 'aws:PrincipalAccount': ACCOUNT };
  for (const [key, value] of Object.entries(request.context ?? {})) contextVariables[key] = typeof value === 'string' ? value : [...value];
  const simulation: Simulation = {
    request: { principal: principal.session, action: request.action, resource: { resource: request.resource, accountId: ACCOUNT }, contextVariables },
    identityPolicies: principal.policies.map(({ name, policy }) => ({ name, policy })),
    serviceControlPolicies:
      scps.length === 0 ? [] : [{ orgIdentifier: 'r-root', policies: [FULL_AWS_ACCESS, ...scps].map(({ name, policy }) => ({ name, policy })) }],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicies.get(request.resource),
  };
  const result = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (result.resultType === 'error')
    throw new Error(`the evaluator refused to judge ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') throw new Error(`${request.resource} is a pattern, not one resource`);
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`context keys that do not apply to ${request.action}: ${ignored.join(', ')}`);
  return result.overallResult;
}

async function expectDecision(principal: Principal, request: Request, expected: Expected, scps: readonly NamedPolicy[] = []): Promise<void> {
  const decision = await decide(principal, request, scps);
  if (expected === 'Denied') expect(decision, `${request.action} on ${request.resource}`).not.toBe('Allowed');
  else expect(decision, `${request.action} on ${request.resource}`).toBe(expected);
}

/** The condition keys of a statement, whatever their operator. */
const conditionKeys = (statement: Json): string[] =>
  Object.values(asObject(maybe(statement, 'Condition') ?? {}, 'Condition')).flatMap((keys) => Object.keys(asObject(keys, 'a condition operator')));

/** Whether a condition key is one the reference lists, in lower case; `prefix/${tagkey}` (or `<key>`, `tag-key`) stands for any key under that prefix. */
const knownKey = (known: readonly string[], key: string): boolean =>
  known.some((entry) => {
    const lower = key.toLowerCase();
    if (entry === lower) return true;
    const placeholder = /^([^/]+\/)(\$\{[a-z]+\}|<[a-z]+>|tag-key)$/.exec(entry);
    return placeholder !== null && lower.startsWith(placeholder[1] as string) && lower.length > (placeholder[1] as string).length;
  });

/**
 * Checks each statement against the evaluator's service reference: every action exists, is granted
 * on "*" exactly when it has no resource-level permissions (a guardrail may use "*" for any),
 * names a resource of a type the action takes, and is conditioned only on keys defined for that
 * action and resource.
 */
async function expectKnownToTheReference(name: string, policy: Json, kind: 'grant' | 'guardrail' = 'grant'): Promise<void> {
  for (const [index, statement] of listOf(field(policy, 'Statement')).entries()) {
    const where = `${name} statement ${String(maybe(statement, 'Sid') ?? index)}`;
    for (const action of stringsOf(field(statement, 'Action'), `${where} Action`)) {
      expect(action, `${where}: actions are named, not patterns`).not.toContain('*');
      const [service, operation] = action.split(':') as [string, string];
      const wildcardOnly = await isWildcardOnlyAction(service, operation);
      for (const target of stringsOf(field(statement, 'Resource'), `${where} Resource`)) {
        // A guardrail (an SCP) may deny an action on every resource; a grant names its resources.
        if (kind === 'grant') expect(target === '*', `${where}: ${action} on ${target}`).toBe(wildcardOnly);
        const keys = await allowedContextKeysForRequest(service, operation, target, false, undefined);
        for (const key of conditionKeys(statement)) expect(knownKey(keys, key), `${where}: ${key} is no condition key of ${action} on ${target}`).toBe(true);
      }
    }
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phoenix-iam-'));
  template = await packagedTemplate(work);
  resourcePolicies = new Map(
    resourcesOfType(template, 'AWS::Events::EventBus')
      .filter(([, bus]) => maybe(bus, 'Properties', 'Policy') !== undefined)
      .map(([id, bus]) => [getAtt(template, id, 'Arn'), resolve(template, field(bus, 'Properties', 'Policy'))]),
  );
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the IAM evaluator', () => {
  it('is a test-only devDependency at an exact version, which no function imports (it is AGPL)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Json;
    expect(field(manifest, 'devDependencies', '@cloud-copilot/iam-simulate')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(maybe(manifest, 'dependencies', '@cloud-copilot/iam-simulate')).toBeUndefined();
    const sources = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
      );
    for (const file of ['scripts/build.mjs', ...sources('functions')]) expect(readFileSync(join(ROOT, file), 'utf8'), file).not.toContain('@cloud-copilot');
  });
});

describe(`IAM as ${EVALUATOR} judges it`, () => {
  const roles: readonly (readonly [keyof typeof FUNCTIONS, readonly Case[]])[] = [
    ['recycler', TICK_CASES],
    ['verifier', TICK_CASES],
    ['tainter', TAINTER_CASES],
    ['reporter', REPORTER_CASES],
  ];
  describe.each(roles)('the %s role', (fn, cases) => {
    it.each(cases)('$case', async ({ action, resource: target, context, expected }) => {
      await expectDecision(principalOf(fn), { action, resource: target, ...(context === undefined ? {} : { context }) }, expected);
    });

    it('names only actions, resource types and condition keys of the service reference', async () => {
      const principal = principalOf(fn);
      expect(principal.policies.length).toBeGreaterThan(0);
      for (const { name, policy } of principal.policies) await expectKnownToTheReference(name, policy);
    });
  });

  describe('the Phoenix bus and its forwarder', () => {
    it.each([
      {
        case: 'an administrator of the account puts a forged source phoenix event on the Phoenix bus: the bus policy denies it',
        who: 'admin',
        request: { action: 'events:PutEvents', resource: PHOENIX_BUS, context: sources('phoenix') },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator can put it on the default bus (which is why no alert listens there)',
        who: 'admin',
        request: { action: 'events:PutEvents', resource: DEFAULT_BUS, context: sources('phoenix') },
        expected: 'Allowed',
      },
      {
        case: 'the forwarder puts Phoenix events on the default bus: allowed',
        who: 'forwarder',
        request: { action: 'events:PutEvents', resource: DEFAULT_BUS, context: sources('phoenix') },
        expected: 'Allowed',
      },
      {
        case: 'the forwarder puts events on the Phoenix bus: denied',
        who: 'forwarder',
        request: { action: 'events:PutEvents', resource: PHOENIX_BUS, context: sources('phoenix') },
        expected: 'Denied',
      },
    ] as const)('$case', async ({ who, request, expected }) => {
      await expectDecision(who === 'admin' ? ACCOUNT_ADMIN : rolePrincipal(template, 'ForwardRole'), request, expected);
    });

    it('the bus policy and the forwarder role name only actions, resource types and condition keys of the service reference', async () => {
      expect([...resourcePolicies.keys()]).toEqual([PHOENIX_BUS]);
      for (const [arn, policy] of resourcePolicies) await expectKnownToTheReference(arn, policy);
      for (const { name, policy } of rolePrincipal(template, 'ForwardRole').policies) await expectKnownToTheReference(name, policy);
    });
  });

  describe(`the example SCP (${SCP_FILE}) reserving the phoenix: tag keys`, () => {
    it.each([
      {
        case: 'an administrator not on its list opts a group in (CreateOrUpdateTags phoenix:enabled): denied',
        who: 'admin',
        request: { action: 'autoscaling:CreateOrUpdateTags', resource: GROUP, context: tagKeys('phoenix:enabled') },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator raises a budget among other tags: denied',
        who: 'admin',
        request: { action: 'autoscaling:CreateOrUpdateTags', resource: GROUP, context: { ...optIn('true'), ...tagKeys('team', 'phoenix:budget') } },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator lifts a quarantine (DeleteTags phoenix:quarantined): denied',
        who: 'admin',
        request: { action: 'autoscaling:DeleteTags', resource: GROUP, context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') } },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator creates a group already opted in: denied',
        who: 'admin',
        request: { action: 'autoscaling:CreateAutoScalingGroup', resource: GROUP, context: tagKeys('Name', 'phoenix:enabled') },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator exempts an instance (ec2:CreateTags phoenix:exempt): denied',
        who: 'admin',
        request: { action: 'ec2:CreateTags', resource: INSTANCE, context: { ...IN_A_GROUP, ...tagKeys('phoenix:exempt') } },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator removes a taint (ec2:DeleteTags phoenix:tainted): denied',
        who: 'admin',
        request: { action: 'ec2:DeleteTags', resource: INSTANCE, context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') } },
        expected: 'ExplicitlyDenied',
      },
      {
        case: 'the same administrator writes a tag outside phoenix:: allowed',
        who: 'admin',
        request: { action: 'autoscaling:CreateOrUpdateTags', resource: GROUP, context: tagKeys('team') },
        expected: 'Allowed',
      },
      {
        case: 'the same administrator creates a group without phoenix: tags: allowed',
        who: 'admin',
        request: { action: 'autoscaling:CreateAutoScalingGroup', resource: GROUP, context: tagKeys('Name') },
        expected: 'Allowed',
      },
      {
        case: 'a person on its list opts a group in: allowed',
        who: 'opt-in',
        request: { action: 'autoscaling:CreateOrUpdateTags', resource: GROUP, context: tagKeys('phoenix:enabled', 'phoenix:max-age') },
        expected: 'Allowed',
      },
      {
        case: 'a person on its list lifts a quarantine (phoenix release): allowed',
        who: 'opt-in',
        request: { action: 'autoscaling:DeleteTags', resource: GROUP, context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') } },
        expected: 'Allowed',
      },
      {
        case: 'the recycler still quarantines a group: allowed',
        who: 'recycler',
        request: { action: 'autoscaling:CreateOrUpdateTags', resource: GROUP, context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') } },
        expected: 'Allowed',
      },
      {
        case: 'the verifier still quarantines a group: allowed',
        who: 'verifier',
        request: { action: 'autoscaling:CreateOrUpdateTags', resource: GROUP, context: { ...optIn('true'), ...tagKeys('phoenix:quarantined') } },
        expected: 'Allowed',
      },
      {
        case: 'the tainter still taints an instance: allowed',
        who: 'tainter',
        request: { action: 'ec2:CreateTags', resource: INSTANCE, context: { ...IN_A_GROUP, ...tagKeys('phoenix:tainted') } },
        expected: 'Allowed',
      },
    ] as const)('$case', async ({ who, request, expected }) => {
      const principal = who === 'admin' ? ACCOUNT_ADMIN : who === 'opt-in' ? OPT_IN_PERSON : principalOf(who);
      await expectDecision(principal, request, expected, [SCP]);
    });

    it('names only actions, resource types and condition keys of the service reference', async () => {
      await expectKnownToTheReference(SCP.name, SCP.policy, 'guardrail');
    });

    it('is the policy docs/iam.md shows', () => {
      expect(readFileSync(join(ROOT, 'docs/iam.md'), 'utf8')).toContain(`\`\`\`json\n${readFileSync(join(ROOT, SCP_FILE), 'utf8')}\`\`\``);
    });
  });
});
