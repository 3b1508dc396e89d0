import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_INDEX, LEDGER_TABLE, LEDGER_TTL_ATTRIBUTE } from '../../functions/adapters/ledger-table.js';
import { parseRecyclerConfig, parseReporterConfig, verifierScope } from '../../functions/app/config.js';
import { ACTION_CONFIRM_DELAY } from '../../functions/core/decide/progress.js';
import { MINUTE } from '../../functions/core/model.js';
import { isAutoScalingApiCall, parseSnoozeSetters } from '../../functions/core/policy/snooze-setter.js';
import { parseTouch } from '../../functions/core/taint/touch.js';
import { run } from '../support/processes.js';
import { COMMAND_ACTIONS, commandsSentBy, LOG_ACTIONS, MUTATING_AUTO_SCALING, TAGGING } from './permissions.js';
import {
  asArray,
  asObject,
  asString,
  FUNCTIONS,
  field,
  type Json,
  lambdaId,
  listOf,
  maybe,
  OFFLINE_GUARD,
  offlineEnvironment,
  type Packaged,
  packageService,
  REGION,
  ROOT,
  resource,
  resourcesOfType,
  stringRecord,
  stringsOf,
} from './stack.js';
import { actionMatches, evaluate, identityStatements, roleStatements, rulesTargeting, zipEntries } from './template.js';

/**
 * The deployment as it would go out: the esbuild bundles are built, `osls package` turns
 * serverless.yml and infra/ into a CloudFormation template and one zip per function, offline and
 * with dummy credentials, and the result is checked with cfn-lint and against the code it deploys
 * (the ledger table's shape, the variables the functions read, the AWS calls the adapters make).
 */

/** The performance target in docs/measured.md: each function zip under 400 KB. */
const MAX_ZIP_BYTES = 400 * 1024;

const listed = (node: unknown): unknown[] => (Array.isArray(node) ? node.flatMap(listed) : [node]);
const isMap = (node: unknown): node is Record<string, unknown> => typeof node === 'object' && node !== null && !Array.isArray(node);

/**
 * EventBridge's matching, for patterns of exact values (moto has no TestEventPattern): every field the
 * pattern names is in the event, one of its values; a field inside a list of objects (CloudTrail's
 * `requestParameters.tags[].key`) matches when any element's does.
 */
function matchesPattern(pattern: Json | undefined, event: Json): boolean {
  if (!isMap(pattern)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const found = listed(event).flatMap((node) => (isMap(node) && key in node ? listed(node[key]) : []));
    return Array.isArray(expected) ? found.some((value) => expected.includes(value as Json)) : found.some((value) => matchesPattern(expected, value as Json));
  });
}

let work: string;
let home: string;
let packaged: Packaged;
/** The organisation rollout's variant: code in an existing bucket, and every parameter set. */
let variant: Packaged;
const VARIANT_BUCKET = 'phoenix-artifacts-123456789012-eu-west-1';

const osPackage = (name: string, extraArgs: readonly string[]): Promise<Packaged> => packageService(join(work, 'service'), join(work, name), home, extraArgs);

beforeAll(async () => {
  // The zips must hold the bundles this checkout builds, not a stale dist/.
  const build = await run(process.execPath, ['scripts/build.mjs']);
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
  // Packaged from a copy, so the repository gets no .serverless/ and a concurrent build cannot
  // change a bundle while it is being zipped.
  work = mkdtempSync(join(tmpdir(), 'phoenix-package-'));
  home = join(work, 'home');
  mkdirSync(home);
  const service = join(work, 'service');
  cpSync(join(ROOT, 'serverless.yml'), join(service, 'serverless.yml'));
  cpSync(join(ROOT, 'infra'), join(service, 'infra'), { recursive: true });
  for (const bundle of Object.values(FUNCTIONS)) {
    cpSync(join(ROOT, `dist/functions/${bundle}`), join(service, `dist/functions/${bundle}`), { recursive: true });
  }
  packaged = await osPackage('default', []);
  variant = await osPackage('organisation', [
    `--param=artifactBucket=${VARIANT_BUCKET}`,
    '--param=alertEmail=platform@example.com',
    '--param=mode=live',
    '--param=scheduleMinutes=15',
    '--param=maxTerminationsPerRun=3',
    '--param=blackouts=2026-12-24..2026-12-26',
    '--param=stopAlarms=checkout-5xx,payments-latency',
    '--param=reportSchedule=cron(0 6 ? * MON *)',
    '--param=reportTimeZone=Europe/Berlin',
    '--param=reportEmail=managers@example.com',
  ]);
  const sizes = Object.fromEntries(Object.keys(FUNCTIONS).map((name) => [`${name}.zip`, statSync(join(packaged.dir, `${name}.zip`)).size]));
  console.info(`osls package: ${packaged.seconds.toFixed(1)} s (default), ${variant.seconds.toFixed(1)} s (organisation); zips: ${JSON.stringify(sizes)}`);
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('osls package', () => {
  it.each([
    { case: 'the offline guard refuses a connection beyond loopback (so the next case means something)', check: 'guard' },
    { case: 'packaging connected to nothing beyond loopback', check: 'default' },
    { case: 'packaging the organisation variant connected to nothing beyond loopback', check: 'variant' },
  ])('$case', async ({ check }) => {
    if (check === 'guard') {
      const probe = await run(
        process.execPath,
        ['--require', OFFLINE_GUARD, '-e', "fetch('https://example.com').then(() => process.exit(0), () => process.exit(3))"],
        offlineEnvironment(home),
        { inheritEnv: false },
      );
      expect(probe.code).toBe(3);
      expect(probe.stderr).toContain('OFFLINE-GUARD: refused');
      return;
    }
    const { result } = check === 'default' ? packaged : variant;
    expect(`${result.stdout}\n${result.stderr}`).not.toContain('OFFLINE-GUARD');
  });

  it.each(
    Object.entries(FUNCTIONS).map(([name, bundle]) => ({
      case: `${name}.zip holds only dist/functions/${bundle}/ (index.mjs and its chunks), under 400 KB`,
      name,
      bundle,
    })),
  )('$case', ({ name, bundle }) => {
    const zip = join(packaged.dir, `${name}.zip`);
    const built = join(work, 'service', `dist/functions/${bundle}`);
    const files = readdirSync(built).map((file) => ({ name: `dist/functions/${bundle}/${file}`, size: statSync(join(built, file)).size }));
    expect(files.map((file) => file.name)).toContain(`dist/functions/${bundle}/index.mjs`);
    expect(zipEntries(zip).sort((a, b) => a.name.localeCompare(b.name))).toEqual(files.sort((a, b) => a.name.localeCompare(b.name)));
    expect(statSync(zip).size).toBeLessThan(MAX_ZIP_BYTES);
  });

  it('leaves no osls variable unresolved', () => {
    for (const template of [packaged.template, variant.template]) {
      expect(JSON.stringify(template)).not.toMatch(/\$\{(param|sls|self|opt|env|file|cf|ssm|s3|aws):/);
    }
  });
});

describe('cfn-lint', () => {
  it.each([
    { case: 'the packaged stack', file: () => join(packaged.dir, 'cloudformation-template-update-stack.json') },
    { case: 'the packaged stack with every parameter set and an artifact bucket', file: () => join(variant.dir, 'cloudformation-template-update-stack.json') },
    { case: 'infra/stackset.yml', file: () => join(ROOT, 'infra/stackset.yml') },
    { case: 'infra/example-asg.yml', file: () => join(ROOT, 'infra/example-asg.yml') },
  ])(
    '$case passes with no finding',
    async ({ file }) => {
      const lint = await run('cfn-lint', ['--', file()]);
      // 0: no error, warning or informational finding (2 errors, 4 warnings, 8 informational, or'ed).
      expect(lint.code, `cfn-lint ${file()}:\n${lint.stdout}${lint.stderr}`).toBe(0);
    },
    60_000,
  );
});

describe('the functions', () => {
  it('the recycler and the verifier end before a change they made is judged as not having happened', () => {
    // A raise or a termination not yet visible is waited for ACTION_CONFIRM_DELAY; Describe shows a change
    // up to a minute late, so a run must end by then, or its late call could land after its record closed.
    for (const name of ['recycler', 'verifier']) {
      const timeout = Number(field(resource(packaged.template, lambdaId(name)), 'Properties', 'Timeout'));
      expect(timeout * 1000 + MINUTE, name).toBeLessThan(ACTION_CONFIRM_DELAY);
    }
  });

  it.each([
    { case: 'exactly the recycler, the verifier, the tainter and the reporter are deployed', check: 'set' },
    { case: 'every function runs nodejs22.x on arm64', check: 'runtime' },
    { case: 'each function runs its own bundle', check: 'handler' },
    { case: 'each function has its own role', check: 'roles' },
    { case: 'the recycler has reserved concurrency 1', check: 'concurrency' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    switch (check) {
      case 'set':
        expect(functions.map(([id]) => id).sort()).toEqual([
          'RecyclerLambdaFunction',
          'ReporterLambdaFunction',
          'TainterLambdaFunction',
          'VerifierLambdaFunction',
        ]);
        return;
      case 'runtime':
        for (const [, fn] of functions) {
          expect(field(fn, 'Properties', 'Runtime')).toBe('nodejs22.x');
          expect(field(fn, 'Properties', 'Architectures')).toEqual(['arm64']);
        }
        return;
      case 'handler':
        for (const [name, bundle] of Object.entries(FUNCTIONS)) {
          const fn = resource(template, lambdaId(name));
          expect(field(fn, 'Properties', 'Handler')).toBe(`dist/functions/${bundle}/index.handler`);
          expect(field(fn, 'Properties', 'Code', 'S3Key')).toMatch(new RegExp(`/${name}\\.zip$`));
        }
        return;
      case 'roles': {
        const roles = functions.map(([, fn]) => evaluate(template, field(fn, 'Properties', 'Role')));
        expect(new Set(roles).size).toBe(functions.length);
        for (const role of roles) expect(role).toMatch(/^<GetAtt \w+Role\.Arn>$/);
        return;
      }
      case 'concurrency':
        expect(field(resource(template, 'RecyclerLambdaFunction'), 'Properties', 'ReservedConcurrentExecutions')).toBe(1);
    }
  });

  it.each([
    {
      case: 'by default: mode dry-run, a 10-minute tick, 10 terminations per run, no blackouts or stop alarms',
      which: 'default',
      mode: 'dry-run',
      minutes: 10,
      max: 10,
      blackouts: 0,
      alarms: [] as string[],
    },
    {
      case: 'with parameters: what was passed',
      which: 'variant',
      mode: 'live',
      minutes: 15,
      max: 3,
      blackouts: 1,
      alarms: ['checkout-5xx', 'payments-latency'],
    },
  ])('every function starts with the tick environment $case', ({ which, mode, minutes, max, blackouts, alarms }) => {
    const { template } = which === 'default' ? packaged : variant;
    for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const variables = field(fn, 'Properties', 'Environment', 'Variables');
      const env = stringRecord(evaluate(template, variables), 'Environment.Variables');
      // The functions' own parser: a variable the deploy forgets or misspells fails here, as at cold start.
      const config = parseRecyclerConfig(env);
      // The mode is read from the SSM parameter at run time; PHOENIX_MODE holds the same initial value.
      expect(config.mode).toEqual({ kind: 'parameter', name: '<Ref ModeParameter>' });
      expect(parseRecyclerConfig({ ...env, PHOENIX_MODE_PARAMETER: '' }).mode).toEqual({ kind: 'fixed', mode });
      expect(config.tick.tickInterval).toBe(minutes * MINUTE);
      expect(config.tick.maxTerminationsPerRun).toBe(max);
      expect(config.tick.blackouts).toHaveLength(blackouts);
      expect(config.tick.stopAlarms).toEqual(alarms);
      expect(config.eventBusName).toBe('<Ref PhoenixEventBus>');
      expect(field(variables, 'PHOENIX_LEDGER_TABLE')).toEqual({ Ref: 'LedgerTable' });
      expect(field(variables, 'PHOENIX_MODE_PARAMETER')).toEqual({ Ref: 'ModeParameter' });
      expect(field(variables, 'PHOENIX_MODE')).toEqual({ Ref: 'Mode' });
    }
  });
});

describe('triggers', () => {
  it.each([
    { case: "the recycler's schedule is rate(10 minutes) by default", which: 'default', expected: 'rate(10 minutes)' },
    { case: "the recycler's schedule follows scheduleMinutes", which: 'variant', expected: 'rate(15 minutes)' },
  ])('$case', ({ which, expected }) => {
    const { template } = which === 'default' ? packaged : variant;
    const rules = rulesTargeting(template, 'RecyclerLambdaFunction');
    expect(rules.map((rule) => evaluate(template, field(rule, 'Properties', 'ScheduleExpression')))).toEqual([expected]);
    expect(field(rules[0], 'Properties', 'State')).toBe('ENABLED');
  });

  it.each([
    { case: "the verifier's rule sends exactly the Auto Scaling events it handles", check: 'events' },
    { case: "the verifier's second rule sends CloudTrail's records of snooze tag writes, and only those, to the handler that reads them", check: 'setters' },
    { case: 'the verifier also sweeps every 5 minutes', check: 'schedule' },
    { case: 'EventBridge may invoke each function from each of its rules', check: 'permissions' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    const rules = rulesTargeting(template, 'VerifierLambdaFunction');
    const patterns = rules.filter((rule) => field(rule, 'Properties', 'EventPattern') !== undefined).map((rule) => field(rule, 'Properties', 'EventPattern'));
    const isTagWrites = (pattern: Json | undefined) => stringsOf(field(pattern, 'detail-type'), 'detail-type').includes('AWS API Call via CloudTrail');
    if (check === 'setters') {
      expect(patterns.filter(isTagWrites)).toEqual([
        {
          source: ['aws.autoscaling'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['autoscaling.amazonaws.com'],
            eventName: ['CreateOrUpdateTags'],
            requestParameters: { tags: { key: ['phoenix:snooze-until'] } },
          },
        },
      ]);
      const pattern = patterns.find(isTagWrites);
      const fixture = JSON.parse(readFileSync(join(ROOT, 'test/events/autoscaling-create-or-update-tags-snooze.json'), 'utf8')) as Json;
      expect(matchesPattern(pattern, fixture)).toBe(true);
      expect(isAutoScalingApiCall(fixture)).toBe(true);
      expect(parseSnoozeSetters(fixture).kind).toBe('setters');
      // The same call writing only other tags (the verifier's own quarantine tag, say) is not delivered.
      const otherTags = structuredClone(fixture) as { detail: { requestParameters: { tags: { key: string }[] } } };
      otherTags.detail.requestParameters.tags = otherTags.detail.requestParameters.tags.map((tag) => ({ ...tag, key: 'phoenix:quarantined' }));
      expect(matchesPattern(pattern, otherTags as unknown as Json)).toBe(false);
      return;
    }
    if (check === 'events') {
      const lifecycle = patterns.filter((pattern) => !isTagWrites(pattern));
      expect(lifecycle).toHaveLength(1);
      const [pattern] = lifecycle;
      expect(field(pattern, 'source')).toEqual(['aws.autoscaling']);
      expect([...asArray(field(pattern, 'detail-type'), 'detail-type')].sort()).toEqual([
        'EC2 Instance Launch Successful',
        'EC2 Instance Launch Unsuccessful',
        'EC2 Instance Terminate Successful',
        'EC2 Instance Terminate Unsuccessful',
      ]);
      // Each event the rule delivers is one the handler accepts, naming its group.
      for (const detailType of asArray(field(pattern, 'detail-type'), 'detail-type')) {
        expect(verifierScope({ source: 'aws.autoscaling', 'detail-type': detailType, detail: { AutoScalingGroupName: 'web' } })).toEqual(['web']);
      }
      return;
    }
    if (check === 'schedule') {
      expect(
        rules.filter((rule) => field(rule, 'Properties', 'ScheduleExpression') !== undefined).map((rule) => field(rule, 'Properties', 'ScheduleExpression')),
      ).toEqual(['rate(5 minutes)']);
      return;
    }
    for (const fn of Object.keys(FUNCTIONS).map(lambdaId)) {
      const ruleIds = resourcesOfType(template, 'AWS::Events::Rule')
        .filter(([, rule]) => rulesTargeting(template, fn).includes(rule))
        .map(([id]) => id);
      expect(ruleIds.length).toBeGreaterThan(0);
      for (const ruleId of ruleIds) {
        // osls names a rule's ARN either by GetAtt or, for eventBridge rules, by the rule's name.
        const ruleArns = [
          `<GetAtt ${ruleId}.Arn>`,
          `arn:aws:events:${REGION}:123456789012:rule/${String(field(resource(template, ruleId), 'Properties', 'Name'))}`,
        ];
        const permitted = resourcesOfType(template, 'AWS::Lambda::Permission').some(
          ([, permission]) =>
            field(permission, 'Properties', 'Principal') === 'events.amazonaws.com' &&
            field(permission, 'Properties', 'Action') === 'lambda:InvokeFunction' &&
            evaluate(template, field(permission, 'Properties', 'FunctionName')) === `<GetAtt ${fn}.Arn>` &&
            ruleArns.some((arn) => arn === evaluate(template, field(permission, 'Properties', 'SourceArn'))),
        );
        expect(permitted, `${fn} from ${ruleId}`).toBe(true);
      }
    }
  });
});

describe('the reporter', () => {
  it.each([
    {
      case: 'by default it runs Monday 08:00 UTC, reports weeks in UTC and mails no one',
      which: 'default',
      schedule: 'cron(0 8 ? * MON *)',
      zone: 'UTC',
      email: '',
    },
    {
      case: 'with parameters: the schedule, zone and address passed',
      which: 'variant',
      schedule: 'cron(0 6 ? * MON *)',
      zone: 'Europe/Berlin',
      email: 'managers@example.com',
    },
  ])('$case', ({ which, schedule, zone, email }) => {
    const { template } = which === 'default' ? packaged : variant;
    const rules = rulesTargeting(template, 'ReporterLambdaFunction');
    expect(rules.map((rule) => evaluate(template, field(rule, 'Properties', 'ScheduleExpression')))).toEqual([schedule]);
    expect(field(rules[0], 'Properties', 'State')).toBe('ENABLED');
    const variables = field(resource(template, 'ReporterLambdaFunction'), 'Properties', 'Environment', 'Variables');
    // The reporter's own parser, as at cold start (Lambda sets AWS_REGION).
    const config = parseReporterConfig({
      ...stringRecord(evaluate(template, variables), 'Environment.Variables'),
      AWS_REGION: REGION,
      PHOENIX_REPORT_TOPIC_ARN: `arn:aws:sns:${REGION}:123456789012:phoenix-reports`,
    });
    expect(config.timeZone).toBe(zone);
    expect(field(variables, 'PHOENIX_REPORT_BUCKET')).toEqual({ Ref: 'ReportBucket' });
    expect(field(variables, 'PHOENIX_REPORT_TOPIC_ARN')).toEqual({ Ref: 'ReportTopic' });
    // The subscription exists only under its condition, which holds when an address is given.
    const mail = resourcesOfType(template, 'AWS::SNS::Subscription').filter(
      ([, subscription]) => maybe(field(subscription, 'Properties', 'TopicArn'), 'Ref') === 'ReportTopic',
    );
    expect(mail.map(([, subscription]) => [field(subscription, 'Condition'), evaluate(template, field(subscription, 'Properties', 'Endpoint'))])).toEqual([
      ['HasReportEmail', email],
    ]);
    expect(field(template, 'Conditions', 'HasReportEmail')).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ReportEmail' }, ''] }] });
  });

  it('may write reports only under weekly/ in the report bucket and publish only to its own topic', () => {
    const statements = roleStatements(packaged.template, 'ReporterRole').filter((statement) => statement.Effect === 'Allow');
    const targets = (action: string) =>
      statements
        .filter((statement) => statement.Action.includes(action))
        .flatMap((statement) => statement.Resource.map((target) => evaluate(packaged.template, target)));
    expect(targets('s3:PutObject')).toEqual(['<GetAtt ReportBucket.Arn>/weekly/*']);
    expect(targets('sns:Publish')).toEqual(['<Ref ReportTopic>']);
  });
});

describe("the tainter's triggers", () => {
  const CLOUDTRAIL = 'AWS API Call via CloudTrail';
  const fixtures = readdirSync(join(ROOT, 'test/events'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, event: JSON.parse(readFileSync(join(ROOT, 'test/events', name), 'utf8')) as Json }));
  /** Whether an event passes one of the tainter's patterns: each has one source, one detail-type and lists of eventSource and eventName. */
  const passes = (pattern: Json | undefined, event: Json): boolean =>
    stringsOf(field(pattern, 'source'), 'source').includes(String(maybe(event, 'source'))) &&
    stringsOf(field(pattern, 'detail-type'), 'detail-type').includes(String(maybe(event, 'detail-type'))) &&
    stringsOf(field(pattern, 'detail', 'eventSource'), 'eventSource').includes(String(maybe(event, 'detail', 'eventSource'))) &&
    stringsOf(field(pattern, 'detail', 'eventName'), 'eventName').includes(String(maybe(event, 'detail', 'eventName')));

  it.each([
    {
      case: 'two enabled rules send exactly Session Manager StartSession, Run Command SendCommand and EC2 Instance Connect SendSSHPublicKey',
      check: 'patterns',
    },
    { case: 'every touch the handler takes is delivered, and every call the rules deliver is one the handler takes as a touch', check: 'both-ways' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    const rules = rulesTargeting(template, 'TainterLambdaFunction');
    const patterns = rules
      .map((rule) => field(rule, 'Properties', 'EventPattern'))
      .sort((a, b) => String(maybe(a, 'source', 0)).localeCompare(String(maybe(b, 'source', 0))));
    if (check === 'patterns') {
      expect(rules.map((rule) => field(rule, 'Properties', 'State'))).toEqual(['ENABLED', 'ENABLED']);
      expect(patterns).toEqual([
        {
          source: ['aws.ec2-instance-connect'],
          'detail-type': [CLOUDTRAIL],
          detail: { eventSource: ['ec2-instance-connect.amazonaws.com'], eventName: ['SendSSHPublicKey'] },
        },
        { source: ['aws.ssm'], 'detail-type': [CLOUDTRAIL], detail: { eventSource: ['ssm.amazonaws.com'], eventName: ['StartSession', 'SendCommand'] } },
      ]);
      return;
    }
    for (const { name, event } of fixtures.filter((fixture) => parseTouch(fixture.event).kind === 'touch')) {
      expect(
        patterns.some((pattern) => passes(pattern, event)),
        `${name} is a touch the rules do not deliver`,
      ).toBe(true);
    }
    for (const pattern of patterns) {
      for (const eventName of stringsOf(field(pattern, 'detail', 'eventName'), 'eventName')) {
        const delivered = fixtures.filter((fixture) => passes(pattern, fixture.event) && maybe(fixture.event, 'detail', 'eventName') === eventName);
        expect(
          delivered.some((fixture) => parseTouch(fixture.event).kind === 'touch'),
          `no fixture of ${eventName} is taken as a touch`,
        ).toBe(true);
      }
    }
  });
});

describe('least privilege', () => {
  it.each([
    { case: 'no Allow statement grants every action, or every action of a service', check: 'wildcards' },
    { case: 'no statement uses NotAction or NotResource', check: 'not' },
    { case: 'nothing may call ec2:TerminateInstances', check: 'ec2-terminate' },
    { case: 'every capacity change requires a phoenix:enabled group tag, and every tag write the value true', check: 'opt-in' },
    { case: 'the only tag change is writing phoenix:quarantined on a group, and nothing may delete a group tag', check: 'tag-keys' },
    { case: 'only Describe actions are granted on every resource', check: 'star-resources' },
    { case: 'DynamoDB actions reach the ledger table and its indexes only', check: 'dynamodb' },
    { case: 'the functions put events with source phoenix only, on the Phoenix bus only; the forwarder puts them on the default bus only', check: 'events' },
    { case: 'ssm:GetParameter reads the mode parameter only', check: 'ssm' },
    { case: 'ec2:CreateTags writes phoenix:tainted only, on instances only, of Auto Scaling groups only, for the tainter only', check: 'ec2-tags' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    const statements = identityStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    const granting = (actions: readonly string[]) =>
      statements.filter(
        (statement) => statement.Effect === 'Allow' && statement.Action.some((pattern) => actions.some((action) => actionMatches(pattern, action))),
      );
    switch (check) {
      case 'wildcards': {
        // Resource policies too (topic, buckets): their Deny statements may name s3:*, an Allow may not.
        const resourcePolicies = [...resourcesOfType(template, 'AWS::S3::BucketPolicy'), ...resourcesOfType(template, 'AWS::SNS::TopicPolicy')].flatMap(
          ([, policy]) =>
            listOf(field(policy, 'Properties', 'PolicyDocument', 'Statement')).map(
              (statement, index): { readonly Effect?: Json; readonly Action: string[] } => {
                const fields = asObject(statement, `resource policy statement ${index}`);
                return { ...fields, Action: stringsOf(fields['Action'], 'Action') };
              },
            ),
        );
        for (const statement of [...statements, ...resourcePolicies].filter((candidate) => candidate.Effect === 'Allow')) {
          for (const action of statement.Action) expect(action, JSON.stringify(statement)).not.toMatch(/^\*$|^[\w-]+:\*$/);
        }
        return;
      }
      case 'not':
        for (const statement of statements) {
          expect(statement.NotAction, statement.where).toBeUndefined();
          expect(statement.NotResource, statement.where).toBeUndefined();
        }
        return;
      case 'ec2-terminate':
        expect(granting(['ec2:TerminateInstances']).map((statement) => statement.where)).toEqual([]);
        return;
      case 'opt-in': {
        const mutating = granting(MUTATING_AUTO_SCALING);
        expect(mutating.length).toBeGreaterThan(0);
        for (const statement of mutating) {
          if (statement.Action.includes('autoscaling:CreateOrUpdateTags')) {
            expect(maybe(statement.Condition, 'StringEquals', 'autoscaling:ResourceTag/phoenix:enabled'), statement.where).toBe('true');
          } else {
            expect(maybe(statement.Condition, 'Null', 'autoscaling:ResourceTag/phoenix:enabled'), statement.where).toBe('false');
          }
        }
        return;
      }
      case 'tag-keys': {
        const tagging = granting(TAGGING);
        expect(tagging.length).toBeGreaterThan(0);
        for (const statement of tagging) {
          expect(statement.Action, statement.where).toEqual(['autoscaling:CreateOrUpdateTags']);
          // All keys named are phoenix:quarantined, and at least one is named.
          expect(maybe(statement.Condition, 'ForAllValues:StringEquals', 'aws:TagKeys'), statement.where).toEqual(['phoenix:quarantined']);
          expect(maybe(statement.Condition, 'ForAnyValue:StringEquals', 'aws:TagKeys'), statement.where).toEqual(['phoenix:quarantined']);
        }
        return;
      }
      case 'star-resources':
        for (const statement of statements.filter((candidate) => candidate.Resource.includes('*'))) {
          for (const action of statement.Action) expect(action, statement.where).toMatch(/^[a-z0-9-]+:Describe[A-Za-z]+$/);
        }
        return;
      case 'dynamodb': {
        const ledger = granting(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:Scan']);
        expect(ledger.length).toBeGreaterThan(0);
        const allowed = ['<GetAtt LedgerTable.Arn>', ...Object.values(LEDGER_INDEX).map((index) => `<GetAtt LedgerTable.Arn>/index/${index}`)];
        for (const statement of ledger) {
          for (const target of statement.Resource) expect(allowed, statement.where).toContain(evaluate(template, target));
        }
        return;
      }
      case 'events': {
        const publishing = granting(['events:PutEvents']);
        const forwarding = publishing.filter((statement) => statement.where.startsWith('ForwardRole/'));
        expect(forwarding.map((statement) => statement.where)).toEqual(['ForwardRole/forward#PutOnDefaultBus']);
        for (const statement of forwarding) {
          expect(statement.Resource.map((target) => evaluate(template, target))).toEqual([`arn:aws:events:${REGION}:123456789012:event-bus/default`]);
        }
        const functions = publishing.filter((statement) => !forwarding.includes(statement));
        expect(functions.length).toBeGreaterThan(0);
        for (const statement of functions) {
          expect(statement.Resource.map((target) => evaluate(template, target))).toEqual([`arn:aws:events:${REGION}:123456789012:event-bus/phoenix-test`]);
          expect(maybe(statement.Condition, 'ForAllValues:StringEquals', 'events:source'), statement.where).toEqual(['phoenix']);
          expect(maybe(statement.Condition, 'ForAnyValue:StringEquals', 'events:source'), statement.where).toEqual(['phoenix']);
        }
        return;
      }
      case 'ssm': {
        const reads = granting(['ssm:GetParameter']);
        expect(reads.length).toBeGreaterThan(0);
        for (const statement of reads) {
          expect(statement.Resource.map((target) => evaluate(template, target))).toEqual([`arn:aws:ssm:${REGION}:123456789012:parameter<Ref ModeParameter>`]);
        }
        return;
      }
      case 'ec2-tags': {
        const tagging = granting(['ec2:CreateTags', 'ec2:DeleteTags']);
        expect(tagging.map((statement) => statement.where)).toEqual(['TaintRole/taint#TagOnlyGroupInstancesOnlyTaintKey']);
        for (const statement of tagging) {
          expect(statement.Action).toEqual(['ec2:CreateTags']);
          expect(statement.Resource.map((target) => evaluate(template, target))).toEqual([`arn:aws:ec2:${REGION}:123456789012:instance/*`]);
          expect(statement.Condition).toEqual({
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['phoenix:tainted'] },
            'ForAnyValue:StringEquals': { 'aws:TagKeys': ['phoenix:tainted'] },
            StringLike: { 'ec2:ResourceTag/aws:autoscaling:groupName': '*' },
          });
        }
      }
    }
  });

  it.each([
    {
      case: 'the recycler role allows exactly what its code calls, plus its logs',
      role: 'RecyclerRole',
      logGroup: 'RecyclerLogGroup',
      entry: 'functions/recycler.ts',
    },
    {
      case: 'the verifier role allows exactly what its code calls, plus its logs (the same Auto Scaling changes)',
      role: 'VerifierRole',
      logGroup: 'VerifierLogGroup',
      entry: 'functions/verifier.ts',
    },
    {
      case: 'the tainter role allows exactly what its code calls, plus its logs',
      role: 'TaintRole',
      logGroup: 'TainterLogGroup',
      entry: 'functions/tainter.ts',
    },
    {
      case: 'the reporter role allows exactly what its code calls (ledger reads only), plus its logs',
      role: 'ReporterRole',
      logGroup: 'ReporterLogGroup',
      entry: 'functions/reporter.ts',
    },
  ])('$case', ({ role, logGroup, entry }) => {
    const { template } = packaged;
    const commands = commandsSentBy(entry);
    const unknown = commands.filter((command) => !(command in COMMAND_ACTIONS));
    expect(unknown, 'SDK commands with no IAM mapping in this test: add them to COMMAND_ACTIONS').toEqual([]);
    const needed = new Set(commands.flatMap((command) => COMMAND_ACTIONS[command] ?? []));
    const statements = roleStatements(template, role).filter((statement) => statement.Effect === 'Allow');
    const granted = new Set(statements.flatMap((statement) => statement.Action));
    for (const action of needed)
      expect(
        [...granted].some((pattern) => actionMatches(pattern, action)),
        `${role} lacks ${action}`,
      ).toBe(true);
    expect(
      [...granted].filter((action) => !needed.has(action) && !LOG_ACTIONS.includes(action)),
      `${role} grants more than its code calls`,
    ).toEqual([]);
    const logs = statements.filter((statement) => statement.Action.some((action) => LOG_ACTIONS.includes(action)));
    expect(logs.flatMap((statement) => statement.Resource.map((target) => evaluate(template, target)))).toEqual([`<GetAtt ${logGroup}.Arn>`]);
  });
});

describe('stateful resources', () => {
  it.each([
    { case: 'the ledger table has the key schema, attributes and indexes of functions/adapters/ledger-table.ts', check: 'schema' },
    { case: 'the ledger table expires items on the adapter TTL attribute', check: 'ttl' },
    { case: 'the ledger table has point-in-time recovery and encryption, and survives stack deletion', check: 'protection' },
    { case: 'the report bucket blocks all public access', check: 'public-access' },
    { case: 'the report bucket is encrypted, TLS only and expires reports after 400 days', check: 'bucket' },
    { case: 'the mode parameter starts as the mode parameter says, and takes live, dry-run or off only', check: 'mode' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    const table = resource(template, 'LedgerTable');
    const bucket = resource(template, 'ReportBucket');
    switch (check) {
      case 'schema':
        expect(field(table, 'Properties', 'KeySchema')).toEqual(LEDGER_TABLE.KeySchema);
        expect(field(table, 'Properties', 'AttributeDefinitions')).toEqual(LEDGER_TABLE.AttributeDefinitions);
        expect(field(table, 'Properties', 'GlobalSecondaryIndexes')).toEqual(LEDGER_TABLE.GlobalSecondaryIndexes);
        expect(field(table, 'Properties', 'BillingMode')).toBe(LEDGER_TABLE.BillingMode);
        return;
      case 'ttl':
        expect(field(table, 'Properties', 'TimeToLiveSpecification')).toEqual({ AttributeName: LEDGER_TTL_ATTRIBUTE, Enabled: true });
        return;
      case 'protection':
        expect(field(table, 'Properties', 'PointInTimeRecoverySpecification')).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(field(table, 'Properties', 'SSESpecification')).toEqual({ SSEEnabled: true });
        expect([field(table, 'DeletionPolicy'), field(table, 'UpdateReplacePolicy')]).toEqual(['Retain', 'Retain']);
        return;
      case 'public-access':
        expect(field(bucket, 'Properties', 'PublicAccessBlockConfiguration')).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        return;
      case 'bucket': {
        expect(field(bucket, 'Properties', 'BucketEncryption', 'ServerSideEncryptionConfiguration', 0, 'ServerSideEncryptionByDefault', 'SSEAlgorithm')).toBe(
          'AES256',
        );
        expect(
          asArray(field(bucket, 'Properties', 'LifecycleConfiguration', 'Rules'), 'LifecycleConfiguration.Rules').map((rule) =>
            field(rule, 'ExpirationInDays'),
          ),
        ).toContain(400);
        const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
          ([, policy]) => maybe(field(policy, 'Properties', 'Bucket'), 'Ref') === 'ReportBucket',
        );
        expect(policies).toHaveLength(1);
        const firstPolicy = policies[0];
        const tls = listOf(firstPolicy === undefined ? undefined : field(firstPolicy[1], 'Properties', 'PolicyDocument', 'Statement')).filter(
          (statement) => field(statement, 'Effect') === 'Deny' && maybe(field(statement, 'Condition'), 'Bool', 'aws:SecureTransport') === 'false',
        );
        expect(tls.flatMap((statement) => listOf(field(statement, 'Resource')).map((target) => evaluate(template, target))).sort()).toEqual([
          '<GetAtt ReportBucket.Arn>',
          '<GetAtt ReportBucket.Arn>/*',
        ]);
        return;
      }
      case 'mode': {
        const parameter = resource(template, 'ModeParameter');
        expect(field(parameter, 'Properties', 'Type')).toBe('String');
        expect(field(parameter, 'Properties', 'AllowedPattern')).toBe('^(live|dry-run|off)$');
        expect(field(parameter, 'Properties', 'Value')).toEqual({ Ref: 'Mode' });
        expect(field(template, 'Parameters', 'Mode', 'Default')).toBe('dry-run');
        expect(field(variant.template, 'Parameters', 'Mode', 'Default')).toBe('live');
        const pattern = new RegExp(asString(field(parameter, 'Properties', 'AllowedPattern'), 'AllowedPattern'));
        expect(
          asArray(field(template, 'Parameters', 'Mode', 'AllowedValues'), 'Mode.AllowedValues').filter((value) =>
            pattern.test(asString(value, 'an allowed value')),
          ),
        ).toEqual(['live', 'dry-run', 'off']);
      }
    }
  });
});

describe('alerts and the dashboard', () => {
  it.each([
    { case: 'an Errors alarm on each function notifies the alert topic', check: 'errors' },
    {
      case: 'Recovery Failed and Version Blocked events go to the alert topic, which lets EventBridge publish from those rules only',
      check: 'recovery-failed',
    },
    { case: 'the email subscription exists only when alertEmail is set', check: 'email' },
    { case: 'the dashboard body is valid JSON naming every function', check: 'dashboard' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    switch (check) {
      case 'errors':
        for (const fn of Object.keys(FUNCTIONS).map(lambdaId)) {
          const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(
            ([, alarm]) =>
              field(alarm, 'Properties', 'MetricName') === 'Errors' &&
              field(alarm, 'Properties', 'Namespace') === 'AWS/Lambda' &&
              asArray(field(alarm, 'Properties', 'Dimensions'), 'Dimensions').some((dimension) => maybe(field(dimension, 'Value'), 'Ref') === fn),
          );
          expect(alarms, fn).toHaveLength(1);
          expect(field(alarms[0]?.[1], 'Properties', 'AlarmActions')).toEqual([{ Ref: 'AlertTopic' }]);
        }
        return;
      case 'recovery-failed': {
        const rules = rulesTargeting(template, 'AlertTopic');
        expect(rules.map((rule) => field(rule, 'Properties', 'EventPattern'))).toEqual([
          { source: ['phoenix'], 'detail-type': ['Recovery Failed'] },
          { source: ['phoenix'], 'detail-type': ['Version Blocked'] },
        ]);
        expect(rules.map((rule) => field(rule, 'Properties', 'EventBusName'))).toEqual([{ Ref: 'PhoenixEventBus' }, { Ref: 'PhoenixEventBus' }]);
        const ruleIds = rules.map((rule) => resourcesOfType(template, 'AWS::Events::Rule').find(([, candidate]) => candidate === rule)?.[0]);
        const statements = listOf(field(resource(template, 'AlertTopicPolicy'), 'Properties', 'PolicyDocument', 'Statement'));
        const fromEvents = statements.filter((statement) => maybe(field(statement, 'Principal'), 'Service') === 'events.amazonaws.com');
        expect(fromEvents.map((statement) => field(statement, 'Action'))).toEqual(['sns:Publish', 'sns:Publish']);
        expect(fromEvents.map((statement) => field(statement, 'Condition', 'ArnEquals', 'aws:SourceArn'))).toEqual(
          ruleIds.map((ruleId) => ({ 'Fn::GetAtt': [ruleId, 'Arn'] })),
        );
        return;
      }
      case 'email': {
        const subscription = resource(template, 'AlertEmailSubscription');
        expect(field(subscription, 'Condition')).toBe('HasAlertEmail');
        expect(field(template, 'Conditions', 'HasAlertEmail')).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }] });
        expect(field(template, 'Parameters', 'AlertEmail', 'Default')).toBe('');
        expect(field(variant.template, 'Parameters', 'AlertEmail', 'Default')).toBe('platform@example.com');
        return;
      }
      case 'dashboard': {
        const body = asString(evaluate(template, field(resource(template, 'Dashboard'), 'Properties', 'DashboardBody')), 'DashboardBody');
        const parsed = JSON.parse(body) as Json;
        expect(asArray(field(parsed, 'widgets'), 'widgets').length).toBeGreaterThan(0);
        for (const name of Object.keys(FUNCTIONS)) expect(body).toContain(`<Ref ${lambdaId(name)}>`);
      }
    }
  });
});

describe('the Phoenix event bus', () => {
  /** FailedInvocations alarms on one rule of the Phoenix bus: such a rule's metrics carry both the bus and the rule name. */
  const deliveryAlarms = (template: Json, ruleId: string): Json[] =>
    resourcesOfType(template, 'AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm)
      .filter(
        (alarm) =>
          field(alarm, 'Properties', 'Namespace') === 'AWS/Events' &&
          field(alarm, 'Properties', 'MetricName') === 'FailedInvocations' &&
          JSON.stringify(field(alarm, 'Properties', 'Dimensions')) ===
            JSON.stringify([
              { Name: 'EventBusName', Value: { Ref: 'PhoenixEventBus' } },
              { Name: 'RuleName', Value: field(resource(template, ruleId), 'Properties', 'Name') },
            ]),
      );

  it.each([
    { case: 'is named per stage, and the functions publish to it', check: 'name' },
    { case: 'its policy refuses PutEvents to every principal but the four function roles', check: 'policy' },
    { case: 'every rule on source phoenix listens on it, none on the default bus', check: 'rules' },
    { case: 'a rule forwards every Phoenix event to the default bus, as a role EventBridge of this account alone may assume', check: 'forward' },
    { case: 'a failed alert or forward delivery notifies the alert topic (alarms on the bus-and-rule metric)', check: 'alarms' },
  ])('$case', ({ check }) => {
    const { template } = packaged;
    const bus = resource(template, 'PhoenixEventBus');
    switch (check) {
      case 'name':
        expect(field(bus, 'Properties', 'Name')).toBe('phoenix-test');
        for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
          expect(field(fn, 'Properties', 'Environment', 'Variables', 'PHOENIX_EVENT_BUS')).toEqual({ Ref: 'PhoenixEventBus' });
        }
        return;
      case 'policy': {
        const statements = listOf(field(bus, 'Properties', 'Policy', 'Statement'));
        expect(statements).toHaveLength(1);
        const [statement] = statements;
        expect([field(statement, 'Effect'), field(statement, 'Principal'), field(statement, 'Action')]).toEqual(['Deny', '*', 'events:PutEvents']);
        expect(evaluate(template, field(statement, 'Resource'))).toBe(`arn:aws:events:${REGION}:123456789012:event-bus/phoenix-test`);
        const functionRoles = resourcesOfType(template, 'AWS::Lambda::Function').map(([, fn]) => evaluate(template, field(fn, 'Properties', 'Role')));
        const admitted = listOf(field(statement, 'Condition', 'ArnNotEquals', 'aws:PrincipalArn')).map((arn) => evaluate(template, arn));
        expect([...admitted].sort()).toEqual([...functionRoles].sort());
        return;
      }
      case 'rules':
        for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
          if (!stringsOf(maybe(rule, 'Properties', 'EventPattern', 'source'), 'source').includes('phoenix')) continue;
          expect(field(rule, 'Properties', 'EventBusName'), id).toEqual({ Ref: 'PhoenixEventBus' });
        }
        return;
      case 'forward': {
        const rule = resource(template, 'ForwardToDefaultBusRule');
        expect(field(rule, 'Properties', 'EventBusName')).toEqual({ Ref: 'PhoenixEventBus' });
        expect(field(rule, 'Properties', 'EventPattern')).toEqual({ source: ['phoenix'] });
        expect(field(rule, 'Properties', 'State')).toBe('ENABLED');
        const targets = asArray(field(rule, 'Properties', 'Targets'), 'Targets');
        expect(targets.map((target) => [evaluate(template, field(target, 'Arn')), evaluate(template, field(target, 'RoleArn'))])).toEqual([
          [`arn:aws:events:${REGION}:123456789012:event-bus/default`, '<GetAtt ForwardRole.Arn>'],
        ]);
        expect(evaluate(template, field(resource(template, 'ForwardRole'), 'Properties', 'AssumeRolePolicyDocument', 'Statement'))).toEqual([
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ]);
        return;
      }
      case 'alarms':
        for (const ruleId of ['RecoveryFailedRule', 'VersionBlockedRule', 'ForwardToDefaultBusRule']) {
          const alarms = deliveryAlarms(template, ruleId);
          expect(alarms, ruleId).toHaveLength(1);
          expect(field(alarms[0], 'Properties', 'AlarmActions'), ruleId).toEqual([{ Ref: 'AlertTopic' }]);
        }
    }
  });
});

describe('the organisation variant', () => {
  it.each([
    { case: 'takes its code from the given artifact bucket and creates no deployment bucket', check: 'bucket' },
    { case: 'has exactly the CloudFormation parameters infra/stackset.yml passes', check: 'parameters' },
    { case: "is uploaded whole by docs/deploy.md's step 2: every artifact its template names is in the package", check: 'upload' },
  ])('$case', ({ check }) => {
    const { template } = variant;
    if (check === 'upload') {
      // A hand-kept list of files once left reporter.zip out, and every account of the StackSet failed.
      const upload = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('aws s3 cp .phoenix-org '));
      expect(upload).toEqual(['aws s3 cp .phoenix-org "s3://$BUCKET/$DIR" --recursive --exclude serverless-state.json   # every zip and the template']);
      const named = resourcesOfType(template, 'AWS::Lambda::Function').map(([, fn]) => posix.basename(asString(field(fn, 'Properties', 'Code', 'S3Key'))));
      expect(named.sort()).toEqual(
        Object.keys(FUNCTIONS)
          .map((name) => `${name}.zip`)
          .sort(),
      );
      const packagedFiles = readdirSync(variant.dir);
      for (const file of [...named, 'cloudformation-template-update-stack.json']) expect(packagedFiles, file).toContain(file);
      return;
    }
    if (check === 'bucket') {
      expect(Object.keys(asObject(field(template, 'Resources'), 'Resources')).filter((id) => id.startsWith('ServerlessDeploymentBucket'))).toEqual([]);
      for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) expect(field(fn, 'Properties', 'Code', 'S3Bucket')).toBe(VARIANT_BUCKET);
      return;
    }
    // Every parameter of the packaged stack is one the StackSet passes, and the other way round.
    const stackset = readFileSync(join(ROOT, 'infra/stackset.yml'), 'utf8');
    const passed = [...stackset.matchAll(/ParameterKey: (\w+)/g)].map((match) => match[1]).sort();
    expect(passed).toEqual(Object.keys(asObject(field(template, 'Parameters'), 'Parameters')).sort());
  });
});
