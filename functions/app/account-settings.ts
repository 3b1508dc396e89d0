import { GLOBAL_MODES } from '../core/policy/global-gate.js';

/**
 * Every account-level setting once: how a deployment sets it, the variable a function reads it
 * from, its default and what it accepts. The config parser and the CLI read their bounds and
 * defaults here; test/deploy/settings.test.ts holds serverless.yml, infra/ and docs/deploy.md and docs/operations.md to it.
 */

export type FunctionName = 'recycler' | 'verifier' | 'tainter' | 'reporter';

interface Common {
  /** What it is for, and why its bounds are what they are. */
  readonly meaning: string;
  /**
   * `stack`: the osls deploy parameter named as the key (`--param="name=value"`, serverless.yml
   * `params`), which becomes the default of the stack's CloudFormation parameter of the same name in
   * PascalCase; the organisation StackSet (infra/stackset.yml) passes that one too. `osls`: a deploy
   * parameter only osls reads. Absent: no parameter, the stack wires the variable to a resource it creates.
   */
  readonly deploy?: 'stack' | 'osls';
  /** The environment variable and the functions that read it; absent for what only the stack uses. */
  readonly variable?: { readonly name: string; readonly readBy: readonly FunctionName[] };
  /** A function refuses to start while its variable is unset or empty, whatever the deploy default. */
  readonly required?: true;
}

/** A whole number from `min` to `max`. */
export interface WholeSetting extends Common {
  readonly kind: 'whole';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** One of a fixed list. */
export interface ChoiceSetting<Choice extends string = string> extends Common {
  readonly kind: 'choice';
  readonly default: Choice;
  readonly choices: readonly Choice[];
}

/** Comma-separated entries; empty is none. */
interface ListSetting extends Common {
  readonly kind: 'list';
  readonly default: '';
}

/** Text, checked by `pattern` where one is given (a CloudFormation AllowedPattern, also valid in JavaScript). */
export interface TextSetting extends Common {
  readonly kind: 'text';
  /** Undefined: none (a required setting, or one left unset). */
  readonly default: string | undefined;
  /** What a valid value looks like, as an error says it. */
  readonly expected: string;
  readonly pattern?: string;
  readonly minLength?: number;
}

export type Setting = WholeSetting | ChoiceSetting | ListSetting | TextSetting;

/** A setting some function reads from its environment. */
export type VariableSetting = Setting & { readonly variable: NonNullable<Common['variable']> };

const EMAIL = String.raw`^$|^[^@\s]+@[^@\s]+\.[^@\s]+$`;
const TICKS: readonly FunctionName[] = ['recycler', 'verifier'];
const ALL_FUNCTIONS: readonly FunctionName[] = [...TICKS, 'tainter', 'reporter'];

/** How the recycler's and verifier's metrics are split: `group` adds a per-group copy of the group-level ones. */
export const METRIC_DIMENSIONS = ['account', 'group'] as const;
export type MetricDimensions = (typeof METRIC_DIMENSIONS)[number];

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value) as unknown[]) if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner);
  return Object.freeze(value);
}

export const SETTINGS = deepFreeze({
  mode: {
    kind: 'choice',
    deploy: 'stack',
    variable: { name: 'PHOENIX_MODE', readBy: TICKS },
    default: 'dry-run',
    choices: GLOBAL_MODES,
    // The default is the deployment's; a function never assumes a mode, it must be told whether it acts.
    required: true,
    meaning:
      'The global mode a deployment starts in: live, dry-run (decide, log and record; never act) or off. The stack copies it into the SSM parameter that is the run-time switch; a function reads the variable only when no parameter is named.',
  },
  modeParameter: {
    kind: 'text',
    variable: { name: 'PHOENIX_MODE_PARAMETER', readBy: TICKS },
    default: undefined,
    expected: 'the name of an SSM parameter holding the mode',
    meaning:
      'The SSM parameter a function reads the mode from at each tick (cached 10 s), so an operator switches it without a redeploy; the stack names its own, /phoenix/<stage>/mode.',
  },
  scheduleMinutes: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_SCHEDULE_MINUTES', readBy: TICKS },
    default: 10,
    // The stack schedules the recycler with rate(N minutes), which EventBridge refuses for N = 1 (it wants "1 minute").
    min: 2,
    max: 1440,
    meaning: 'Minutes between two recycler ticks; the plan spreads work and sets chaos odds by it.',
  },
  blackouts: {
    kind: 'list',
    deploy: 'stack',
    variable: { name: 'PHOENIX_BLACKOUTS', readBy: TICKS },
    default: '',
    meaning: 'UTC dates (2026-12-24) or inclusive ranges (2026-12-20..2027-01-02) on which nothing is terminated anywhere: freezes, holidays.',
  },
  stopAlarms: {
    kind: 'list',
    deploy: 'stack',
    variable: { name: 'PHOENIX_STOP_ALARMS', readBy: TICKS },
    default: '',
    meaning: 'CloudWatch alarms any of which, in ALARM or missing, stops every termination.',
  },
  maxTerminationsPerRun: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_MAX_TERMINATIONS_PER_RUN', readBy: TICKS },
    default: 10,
    min: 0,
    max: 1000,
    meaning: 'Most terminations in one tick across the whole account.',
  },
  maxGroupBudget: {
    kind: 'text',
    deploy: 'stack',
    variable: { name: 'PHOENIX_MAX_GROUP_BUDGET', readBy: TICKS },
    default: '',
    expected: 'N/hour, N/day or N/week such as 6/day, or empty for no ceiling',
    // N up to 1000, as phoenix:budget itself allows: a ceiling no tag can reach would refuse nothing.
    pattern: '^$|^([1-9][0-9]{0,2}|1000)/(hour|day|week)$',
    meaning: "The highest budget any group's tags may set: tagging a group is a permission to terminate there. Empty: no ceiling beyond the tag's own bounds.",
  },
  minHealthyFloor: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_MIN_HEALTHY_FLOOR', readBy: TICKS },
    default: 0,
    min: 0,
    max: 100,
    meaning: 'The lowest phoenix:min-healthy percent any group may set.',
  },
  breakerFailures: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_BREAKER_FAILURES', readBy: TICKS },
    default: 2,
    min: 1,
    max: 100,
    meaning:
      'Failed recoveries onto one launch template version or AMI, in this many groups within breakerPeriodHours, that block it in every group until an operator releases it.',
  },
  breakerPeriodHours: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_BREAKER_PERIOD_HOURS', readBy: TICKS },
    default: 24,
    min: 1,
    // The tick reads nine days of records; failures older than that are not in its read anyway.
    max: 216,
    meaning: "The period in which breakerFailures groups' failed recoveries onto one version block it.",
  },
  canaryBakeMinutes: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_CANARY_BAKE_MINUTES', readBy: TICKS },
    default: 30,
    min: 0,
    max: 1440,
    meaning: "How long a new version's canary replacement runs, verified and without a failure, before other groups' replacements onto it start.",
  },
  maxSnoozesPerWeek: {
    kind: 'whole',
    deploy: 'stack',
    variable: { name: 'PHOENIX_MAX_SNOOZES_PER_WEEK', readBy: TICKS },
    default: 3,
    min: 0,
    max: 50,
    meaning:
      'The most phoenix:snooze-until snoozes a group may take in any rolling week; one beyond it is refused and the group recycles as usual. 0: no snoozes.',
  },
  ownerTagKey: {
    kind: 'text',
    deploy: 'stack',
    variable: { name: 'PHOENIX_OWNER_TAG_KEY', readBy: ALL_FUNCTIONS },
    default: 'team',
    expected: 'a tag key such as team or owner: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:',
    pattern: '^(?!aws:)[A-Za-z0-9 _.:/=+@-]{1,128}$',
    meaning: "The group tag that names who owns a group: its value is each event's owner, the report's sections and the report message's owner attribute.",
  },
  metricDimensions: {
    kind: 'choice',
    deploy: 'stack',
    variable: { name: 'PHOENIX_METRIC_DIMENSIONS', readBy: TICKS },
    default: 'account',
    choices: METRIC_DIMENSIONS,
    // CloudWatch bills each distinct metric name and dimension set: per group, six more per group.
    meaning:
      'account: every metric once for the whole account, with the group as a searchable property (about 26 custom metrics). group: the six group-level metrics also per group, by a group dimension (up to six custom metrics more per group).',
  },
  maxAgeAlarmHours: {
    kind: 'whole',
    deploy: 'stack',
    default: 24,
    min: 1,
    max: 8760,
    meaning: "How many hours past its group's max-age any instance may be before the over-max-age alarm notifies the alert topic.",
  },
  stage: {
    kind: 'text',
    variable: { name: 'PHOENIX_STAGE', readBy: ALL_FUNCTIONS },
    default: undefined,
    expected: 'the deployment stage, such as prod',
    meaning: 'The stage the stack was deployed as: a key on every log line, so one search can tell two deployments apart.',
  },
  alertEmail: {
    kind: 'text',
    deploy: 'stack',
    default: '',
    expected: 'an email address, or empty',
    pattern: EMAIL,
    meaning: 'Where alarms and Recovery Failed alerts are e-mailed; empty: no subscription, the topic stays.',
  },
  reportSchedule: {
    kind: 'text',
    deploy: 'stack',
    default: 'cron(0 8 ? * MON *)',
    expected: 'an EventBridge schedule expression such as cron(0 8 ? * MON *)',
    pattern: String.raw`^(cron|rate)\(.+\)$`,
    meaning: 'When the weekly report runs, in UTC.',
  },
  reportTimeZone: {
    kind: 'text',
    deploy: 'stack',
    variable: { name: 'PHOENIX_REPORT_TIME_ZONE', readBy: ['reporter'] },
    default: 'UTC',
    expected: 'an IANA time zone such as UTC or Europe/Berlin',
    minLength: 1,
    meaning: "The zone whose Monday midnights bound a report's week.",
  },
  reportEmail: {
    kind: 'text',
    deploy: 'stack',
    default: '',
    expected: 'an email address, or empty',
    pattern: EMAIL,
    meaning: 'Who gets the weekly report by e-mail; empty: no subscription, the topic stays.',
  },
  artifactBucket: {
    kind: 'text',
    deploy: 'osls',
    default: undefined,
    expected: 'the name of an existing S3 bucket in the region',
    meaning: 'A bucket for the code and template instead of the one osls creates: the organisation rollout uses the one infra/stackset.yml creates.',
  },
  ledgerTable: {
    kind: 'text',
    variable: { name: 'PHOENIX_LEDGER_TABLE', readBy: [...TICKS, 'reporter'] },
    default: undefined,
    required: true,
    expected: 'the name of the ledger DynamoDB table',
    meaning: 'The replacement ledger: records, locks and tick summaries.',
  },
  eventBus: {
    kind: 'text',
    variable: { name: 'PHOENIX_EVENT_BUS', readBy: ALL_FUNCTIONS },
    default: 'default',
    expected: 'the name of an EventBridge event bus',
    meaning:
      "Where Phoenix's events go: the stack sets its own bus, phoenix-<stage>, which only its roles may write to and which forwards every event to the default bus.",
  },
  reportBucket: {
    kind: 'text',
    variable: { name: 'PHOENIX_REPORT_BUCKET', readBy: ['reporter'] },
    default: undefined,
    required: true,
    expected: 'the name of the S3 bucket the reports are written to',
    meaning: 'Where the weekly reports are kept, under weekly/<year>/.',
  },
  reportTopicArn: {
    kind: 'text',
    variable: { name: 'PHOENIX_REPORT_TOPIC_ARN', readBy: ['reporter'] },
    default: undefined,
    required: true,
    expected: 'an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:phoenix-reports',
    pattern: String.raw`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`,
    meaning: "The topic the report's Markdown summary is sent to.",
  },
} as const satisfies Readonly<Record<string, Setting>>);

export type SettingName = keyof typeof SETTINGS;
