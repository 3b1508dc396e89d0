import { IsoWeekError, TimeZoneError } from '../core/errors.js';
import type { GlobalMode, Millis } from '../core/model.js';
import { HOUR, MINUTE, TRUSTED_CLOCK_SKEW } from '../core/model.js';
import { parseBlackouts } from '../core/policy/global-gate.js';
import type { Budget } from '../core/policy/policy.js';
import { parseBudgetText } from '../core/policy/tags.js';
import { zoneFormatter } from '../core/policy/zone-clock.js';
import type { Logger } from '../core/ports.js';
import { isoWeekBounds, lastCompleteIsoWeek } from '../core/report/iso-week.js';
import { type ChoiceSetting, type MetricDimensions, SETTINGS, type TextSetting, type VariableSetting, type WholeSetting } from './account-settings.js';
import { ConfigError, EventError } from './errors.js';
import type { TickSettings } from './tick.js';

/** Where the global mode comes from: an SSM parameter read at run time, or a fixed deploy value. */
export type ModeSource = { readonly kind: 'parameter'; readonly name: string } | { readonly kind: 'fixed'; readonly mode: GlobalMode };

/** What every function's log lines and metrics carry. */
export interface TelemetryConfig {
  /** The deployment's stage, a key on every log line; undefined outside a deployment. */
  readonly stage: string | undefined;
}

export interface RecyclerConfig extends TelemetryConfig {
  readonly ledgerTable: string;
  readonly mode: ModeSource;
  readonly eventBusName: string;
  readonly metricDimensions: MetricDimensions;
  readonly tick: TickSettings;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The setting's variable, trimmed; undefined when unset or empty, which every setting treats alike. */
function read(env: Environment, setting: VariableSetting): string | undefined {
  const value = env[setting.variable.name]?.trim();
  return value === '' ? undefined : value;
}

function required(env: Environment, setting: TextSetting & VariableSetting): string {
  const value = read(env, setting);
  if (value === undefined) throw new ConfigError(setting.variable.name, env[setting.variable.name], setting.expected);
  return value;
}

function wholeNumber(env: Environment, setting: WholeSetting & VariableSetting): number {
  const value = read(env, setting);
  if (value === undefined) return setting.default;
  if (!/^\d+$/.test(value) || Number(value) < setting.min || Number(value) > setting.max) {
    throw new ConfigError(setting.variable.name, value, `a whole number from ${setting.min} to ${setting.max}`);
  }
  return Number(value);
}

function choice<Choice extends string>(env: Environment, setting: ChoiceSetting<Choice> & VariableSetting): Choice {
  const text = read(env, setting);
  if (text === undefined) return setting.default;
  const chosen = setting.choices.find((entry) => entry === text);
  if (chosen === undefined) throw new ConfigError(setting.variable.name, text, setting.choices.join(', '));
  return chosen;
}

function telemetry(env: Environment): TelemetryConfig {
  return { stage: read(env, SETTINGS.stage) };
}

function modeSource(env: Environment): ModeSource {
  const parameter = read(env, SETTINGS.modeParameter);
  if (parameter !== undefined) return { kind: 'parameter', name: parameter };
  const { mode: setting, modeParameter } = SETTINGS;
  const choices = setting.choices.join(', ');
  const text = read(env, setting);
  if (text === undefined)
    throw new ConfigError(
      setting.variable.name,
      env[setting.variable.name],
      `${choices} (or ${modeParameter.variable.name} naming an SSM parameter that holds one)`,
    );
  const mode = setting.choices.find((choice) => choice === text);
  if (mode === undefined) throw new ConfigError(setting.variable.name, text, choices);
  return { kind: 'fixed', mode };
}

/** The highest budget any group may set, as a budget (`6/day`); unset or empty is no ceiling. */
function maxGroupBudget(env: Environment): Budget | undefined {
  const setting = SETTINGS.maxGroupBudget;
  const value = read(env, setting);
  if (value === undefined) return undefined;
  const budget = parseBudgetText(value);
  if (budget === undefined) throw new ConfigError(setting.variable.name, value, setting.expected);
  return budget;
}

function names(env: Environment, setting: VariableSetting): readonly string[] {
  return (env[setting.variable.name] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

const OWNER_TAG_KEY = new RegExp(SETTINGS.ownerTagKey.pattern);

/** The group tag that names a group's owner; refused, naming the variable, when it is not a tag key. */
function ownerTagKey(env: Environment): string {
  const setting = SETTINGS.ownerTagKey;
  const value = env[setting.variable.name] ?? setting.default;
  if (!OWNER_TAG_KEY.test(value)) throw new ConfigError(setting.variable.name, value, setting.expected);
  return value;
}

function eventBusName(env: Environment): string {
  return read(env, SETTINGS.eventBus) ?? SETTINGS.eventBus.default;
}

/**
 * Reads the functions' deploy parameters once, at cold start, into a frozen object. The mode has no
 * default: a deployment must say whether it acts.
 */
export function parseRecyclerConfig(env: Environment): RecyclerConfig {
  const ledgerTable = required(env, SETTINGS.ledgerTable);
  const mode = modeSource(env);
  const blackoutsVariable = SETTINGS.blackouts.variable.name;
  const blackouts = parseBlackouts(env[blackoutsVariable] ?? '');
  if (!blackouts.ok) throw new ConfigError(blackoutsVariable, env[blackoutsVariable], `${blackouts.expected} ("${blackouts.entry}" is not)`);
  return Object.freeze({
    ...telemetry(env),
    ledgerTable,
    mode,
    eventBusName: eventBusName(env),
    metricDimensions: choice(env, SETTINGS.metricDimensions),
    tick: Object.freeze({
      tickInterval: wholeNumber(env, SETTINGS.scheduleMinutes) * MINUTE,
      blackouts: blackouts.blackouts,
      stopAlarms: names(env, SETTINGS.stopAlarms),
      maxTerminationsPerRun: wholeNumber(env, SETTINGS.maxTerminationsPerRun),
      ownerTagKey: ownerTagKey(env),
      limits: Object.freeze({
        maxBudget: maxGroupBudget(env),
        minHealthyFloor: wholeNumber(env, SETTINGS.minHealthyFloor),
        maxSnoozesPerWeek: wholeNumber(env, SETTINGS.maxSnoozesPerWeek),
      }),
      breaker: Object.freeze({
        failuresToBlock: wholeNumber(env, SETTINGS.breakerFailures),
        period: wholeNumber(env, SETTINGS.breakerPeriodHours) * HOUR,
        bakeTime: wholeNumber(env, SETTINGS.canaryBakeMinutes) * MINUTE,
      }),
    }),
  });
}

export interface TainterConfig extends TelemetryConfig {
  readonly eventBusName: string;
  readonly ownerTagKey: string;
}

/**
 * The tainter reads no mode or ledger: a tag terminates nothing, so a touch is recorded whatever the
 * global mode, and the recycler decides later under its own gates.
 */
export function parseTainterConfig(env: Environment): TainterConfig {
  return Object.freeze({ ...telemetry(env), eventBusName: eventBusName(env), ownerTagKey: ownerTagKey(env) });
}

/** The time an EventBridge event carries: when the schedule fired, or when Auto Scaling acted. */
export function scheduledTime(event: unknown): number {
  const time = typeof event === 'object' && event !== null && 'time' in event ? event.time : undefined;
  const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new EventError('event.time', typeof time === 'string' ? time : undefined, 'an EventBridge scheduled event with an ISO-8601 time');
  }
  return at;
}

/**
 * The instant a run decides at: its event's time, unless the event arrives late (queued behind the
 * running tick, or retried), when it is the clock. Budgets count from the times the ledger records,
 * so a termination must never be recorded as earlier than it happened. An event time further ahead of
 * the clock than a clock's drift is never believed: deciding in the future would read every budget as
 * free and every replacement in flight as overdue. The clock is used instead, and the warning says why.
 */
export function runTime(event: unknown, now: number, logger?: Pick<Logger, 'warn'>): number {
  const at = scheduledTime(event);
  if (at <= now) return now;
  if (at - now <= TRUSTED_CLOCK_SKEW) return at;
  logger?.warn('event time distrusted', {
    eventTime: new Date(at).toISOString(),
    clock: new Date(now).toISOString(),
    why: `the event's time is ${Math.round((at - now) / 1000)}s ahead of the clock, more than the ${TRUSTED_CLOCK_SKEW / 1000}s a clock may drift; deciding at the clock's time`,
  });
  return now;
}

/**
 * The recycler's tick for a schedule event: the time the schedule fired identifies the event across its
 * deliveries (EventBridge's at-least-once, Lambda's retries), so their advance notices go out once. A time
 * further ahead of the clock than a drift is not believed (runTime warns of it) and identifies nothing.
 */
export function tickScope(event: unknown, now: number): { readonly kind: 'tick'; readonly scheduledAt: Millis | undefined } {
  const at = scheduledTime(event);
  return { kind: 'tick', scheduledAt: at - now > TRUSTED_CLOCK_SKEW ? undefined : at };
}

/** Auto Scaling's instance launch and terminate events, which tell the verifier to look at one group now. */
const AUTO_SCALING_EVENTS: ReadonlySet<string> = new Set([
  'EC2 Instance Launch Successful',
  'EC2 Instance Launch Unsuccessful',
  'EC2 Instance Terminate Successful',
  'EC2 Instance Terminate Unsuccessful',
]);

/**
 * The verifier runs on two triggers: an Auto Scaling event names one group (confirmation within a
 * minute of the change), and a schedule sweeps every group with an open replacement (deadlines pass
 * without any event). Returns the groups to look at; undefined means all with one open.
 */
export function verifierScope(event: unknown): readonly string[] | undefined {
  const fields = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const source = fields['source'];
  const detailType = fields['detail-type'];
  if (source === 'aws.events' && detailType === 'Scheduled Event') return undefined;
  if (source === 'aws.autoscaling' && typeof detailType === 'string' && AUTO_SCALING_EVENTS.has(detailType)) {
    const detail = fields['detail'];
    const group = typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>)['AutoScalingGroupName'] : undefined;
    if (typeof group === 'string' && group !== '') return [group];
    throw new EventError(
      'event.detail.AutoScalingGroupName',
      typeof group === 'string' ? group : undefined,
      'the name of the Auto Scaling group the event is about',
    );
  }
  throw new EventError(
    'event.detail-type',
    typeof detailType === 'string' ? `${String(source)}/${detailType}` : undefined,
    `a scheduled event or one of the Auto Scaling events ${[...AUTO_SCALING_EVENTS].join(', ')}`,
  );
}

export interface ReporterConfig extends TelemetryConfig {
  readonly ledgerTable: string;
  readonly bucket: string;
  readonly topicArn: string;
  /** Whose Monday midnights bound a report's week. */
  readonly timeZone: string;
  readonly eventBusName: string;
  /** For the console link in the e-mail; Lambda sets AWS_REGION. */
  readonly region: string;
  readonly ownerTagKey: string;
}

const SNS_TOPIC_ARN = new RegExp(SETTINGS.reportTopicArn.pattern);

export function parseReporterConfig(env: Environment): ReporterConfig {
  const ledgerTable = required(env, SETTINGS.ledgerTable);
  const bucket = required(env, SETTINGS.reportBucket);
  const topic = SETTINGS.reportTopicArn;
  const topicArn = required(env, topic);
  if (!SNS_TOPIC_ARN.test(topicArn)) throw new ConfigError(topic.variable.name, topicArn, topic.expected);
  const zone = SETTINGS.reportTimeZone;
  const timeZone = read(env, zone) ?? zone.default;
  try {
    zoneFormatter(timeZone);
  } catch (error) {
    if (error instanceof TimeZoneError) throw new ConfigError(zone.variable.name, timeZone, zone.expected, { cause: error });
    throw error;
  }
  const region = env['AWS_REGION']?.trim();
  if (region === undefined || region === '') throw new ConfigError('AWS_REGION', env['AWS_REGION'], 'the AWS region (Lambda sets it)');
  return Object.freeze({ ...telemetry(env), ledgerTable, bucket, topicArn, timeZone, eventBusName: eventBusName(env), region, ownerTagKey: ownerTagKey(env) });
}

/**
 * Which week a reporter run covers: a direct invocation may name one (`{"week": "2026-W47"}`, to
 * re-render a past week); the weekly schedule means the last week complete at the event's time.
 */
export function reportWeek(event: unknown, timeZone: string): string {
  const week = typeof event === 'object' && event !== null && 'week' in event ? event.week : undefined;
  if (week === undefined) return lastCompleteIsoWeek(scheduledTime(event), timeZone);
  if (typeof week !== 'string') throw new EventError('event.week', undefined, 'an ISO week such as 2026-W47');
  try {
    isoWeekBounds(week, timeZone);
  } catch (error) {
    if (error instanceof IsoWeekError) throw new EventError('event.week', week, `an ISO week such as 2026-W47 (${error.message})`, { cause: error });
    throw error;
  }
  return week;
}
