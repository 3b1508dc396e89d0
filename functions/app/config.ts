import type { TickSettings } from './tick.js';
import { ConfigError, EventError } from './errors.js';
import { IsoWeekError, TimeZoneError } from '../core/errors.js';
import { parseBlackouts } from '../core/global-gate.js';
import { isoWeekBounds, lastCompleteIsoWeek, zoneFormatter } from '../core/iso-week.js';
import type { GlobalMode } from '../core/model.js';
import { MINUTE, TRUSTED_CLOCK_SKEW } from '../core/model.js';
import type { Budget } from '../core/policy.js';
import { parseBudgetText } from '../core/tags.js';
import type { Logger } from '../core/ports.js';

/** Where the global mode comes from: an SSM parameter read at run time, or a fixed deploy value. */
export type ModeSource = { readonly kind: 'parameter'; readonly name: string } | { readonly kind: 'fixed'; readonly mode: GlobalMode };

export interface RecyclerConfig {
  readonly ledgerTable: string;
  readonly mode: ModeSource;
  readonly eventBusName: string;
  readonly tick: TickSettings;
}

type Environment = Readonly<Record<string, string | undefined>>;

function required(env: Environment, variable: string, expected: string): string {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') throw new ConfigError(variable, env[variable], expected);
  return value;
}

function wholeNumber(env: Environment, variable: string, options: { fallback: number; min: number; max: number }): number {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return options.fallback;
  if (!/^\d+$/.test(value) || Number(value) < options.min || Number(value) > options.max) {
    throw new ConfigError(variable, value, `a whole number from ${options.min} to ${options.max}`);
  }
  return Number(value);
}

const MODES: readonly GlobalMode[] = ['live', 'dry-run', 'off'];

function modeSource(env: Environment): ModeSource {
  const parameter = env['PHOENIX_MODE_PARAMETER']?.trim();
  if (parameter !== undefined && parameter !== '') return { kind: 'parameter', name: parameter };
  const modeText = required(env, 'PHOENIX_MODE', `${MODES.join(', ')} (or PHOENIX_MODE_PARAMETER naming an SSM parameter that holds one)`);
  const mode = MODES.find((candidate) => candidate === modeText);
  if (mode === undefined) throw new ConfigError('PHOENIX_MODE', modeText, MODES.join(', '));
  return { kind: 'fixed', mode };
}

/** The highest budget any group may set, as a budget (`6/day`); unset or empty is no ceiling. */
function maxGroupBudget(env: Environment): Budget | undefined {
  const value = env['PHOENIX_MAX_GROUP_BUDGET']?.trim();
  if (value === undefined || value === '') return undefined;
  const budget = parseBudgetText(value);
  if (budget === undefined) throw new ConfigError('PHOENIX_MAX_GROUP_BUDGET', value, 'N/hour, N/day or N/week such as 6/day, or empty for no ceiling');
  return budget;
}

/**
 * Reads the functions' deploy parameters once, at cold start, into a frozen object. The mode has no
 * default: a deployment must say whether it acts.
 */
export function parseRecyclerConfig(env: Environment): RecyclerConfig {
  const ledgerTable = required(env, 'PHOENIX_LEDGER_TABLE', 'the name of the ledger DynamoDB table');
  const mode = modeSource(env);
  const blackouts = parseBlackouts(env['PHOENIX_BLACKOUTS'] ?? '');
  if (!blackouts.ok) throw new ConfigError('PHOENIX_BLACKOUTS', env['PHOENIX_BLACKOUTS'], `${blackouts.expected} ("${blackouts.entry}" is not)`);
  const stopAlarms = (env['PHOENIX_STOP_ALARMS'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  return Object.freeze({
    ledgerTable,
    mode,
    eventBusName: env['PHOENIX_EVENT_BUS']?.trim() || 'default',
    tick: Object.freeze({
      tickInterval: wholeNumber(env, 'PHOENIX_SCHEDULE_MINUTES', { fallback: 10, min: 1, max: 1440 }) * MINUTE,
      blackouts: blackouts.blackouts,
      stopAlarms,
      maxTerminationsPerRun: wholeNumber(env, 'PHOENIX_MAX_TERMINATIONS_PER_RUN', { fallback: 10, min: 0, max: 1000 }),
      limits: Object.freeze({ maxBudget: maxGroupBudget(env), minHealthyFloor: wholeNumber(env, 'PHOENIX_MIN_HEALTHY_FLOOR', { fallback: 0, min: 0, max: 100 }) }),
    }),
  });
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
    throw new EventError('event.detail.AutoScalingGroupName', typeof group === 'string' ? group : undefined, 'the name of the Auto Scaling group the event is about');
  }
  throw new EventError(
    'event.detail-type',
    typeof detailType === 'string' ? `${String(source)}/${detailType}` : undefined,
    `a scheduled event or one of the Auto Scaling events ${[...AUTO_SCALING_EVENTS].join(', ')}`,
  );
}

export interface ReporterConfig {
  readonly ledgerTable: string;
  readonly bucket: string;
  readonly topicArn: string;
  /** Whose Monday midnights bound a report's week. */
  readonly timeZone: string;
  readonly eventBusName: string;
  /** For the console link in the e-mail; Lambda sets AWS_REGION. */
  readonly region: string;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function parseReporterConfig(env: Environment): ReporterConfig {
  const ledgerTable = required(env, 'PHOENIX_LEDGER_TABLE', 'the name of the ledger DynamoDB table');
  const bucket = required(env, 'PHOENIX_REPORT_BUCKET', 'the name of the S3 bucket the reports are written to');
  const topicArn = required(env, 'PHOENIX_REPORT_TOPIC_ARN', 'the ARN of the SNS topic the summary goes to');
  if (!SNS_TOPIC_ARN.test(topicArn)) throw new ConfigError('PHOENIX_REPORT_TOPIC_ARN', topicArn, 'an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:phoenix-reports');
  const timeZone = env['PHOENIX_REPORT_TIME_ZONE']?.trim() || 'UTC';
  try {
    zoneFormatter(timeZone);
  } catch (error) {
    if (error instanceof TimeZoneError) throw new ConfigError('PHOENIX_REPORT_TIME_ZONE', timeZone, 'an IANA time zone such as UTC or Europe/Berlin', { cause: error });
    throw error;
  }
  return Object.freeze({
    ledgerTable,
    bucket,
    topicArn,
    timeZone,
    eventBusName: env['PHOENIX_EVENT_BUS']?.trim() || 'default',
    region: required(env, 'AWS_REGION', 'the AWS region (Lambda sets it)'),
  });
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
