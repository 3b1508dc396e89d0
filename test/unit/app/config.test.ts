import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../functions/app/account-settings.js';
import {
  parseRecyclerConfig,
  parseReporterConfig,
  parseTainterConfig,
  reportWeek,
  runTime,
  scheduledTime,
  tickScope,
  verifierScope,
} from '../../../functions/app/config.js';
import { ConfigError, EventError } from '../../../functions/app/errors.js';
import { IsoWeekError, TimeZoneError } from '../../../functions/core/errors.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';

const minimal = { PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE: 'live' };

describe('recycler configuration', () => {
  it('reads a full configuration into a frozen object', () => {
    const config = parseRecyclerConfig({
      ...minimal,
      PHOENIX_SCHEDULE_MINUTES: '5',
      PHOENIX_BLACKOUTS: '2026-12-24..2026-12-26',
      PHOENIX_STOP_ALARMS: 'api-5xx, p99-latency',
      PHOENIX_MAX_TERMINATIONS_PER_RUN: '3',
      PHOENIX_EVENT_BUS: 'ops',
      PHOENIX_METRIC_DIMENSIONS: 'group',
      PHOENIX_STAGE: 'prod',
    });
    expect(config).toMatchObject({
      ledgerTable: 'ledger',
      mode: { kind: 'fixed', mode: 'live' },
      eventBusName: 'ops',
      metricDimensions: 'group',
      stage: 'prod',
      tick: { tickInterval: 5 * MINUTE, stopAlarms: ['api-5xx', 'p99-latency'], maxTerminationsPerRun: 3 },
    });
    expect(config.tick.blackouts).toHaveLength(1);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('an SSM parameter, when named, is where the mode comes from', () => {
    expect(parseRecyclerConfig({ PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE_PARAMETER: '/phoenix/mode' }).mode).toEqual({
      kind: 'parameter',
      name: '/phoenix/mode',
    });
  });

  it('defaults what is safe to default', () => {
    expect(parseRecyclerConfig(minimal)).toMatchObject({
      eventBusName: 'default',
      metricDimensions: 'account',
      stage: undefined,
      tick: { tickInterval: 10 * MINUTE, stopAlarms: [], blackouts: [], maxTerminationsPerRun: 10 },
    });
  });

  it.each([
    { case: 'no ledger table', env: { PHOENIX_MODE: 'live' }, variable: 'PHOENIX_LEDGER_TABLE' },
    { case: 'no mode: a deployment must say whether it acts', env: { PHOENIX_LEDGER_TABLE: 'x' }, variable: 'PHOENIX_MODE' },
    { case: 'unknown mode', env: { ...minimal, PHOENIX_MODE: 'yes' }, variable: 'PHOENIX_MODE' },
    { case: 'schedule not a number', env: { ...minimal, PHOENIX_SCHEDULE_MINUTES: '10m' }, variable: 'PHOENIX_SCHEDULE_MINUTES' },
    { case: 'per-run limit too high', env: { ...minimal, PHOENIX_MAX_TERMINATIONS_PER_RUN: '5000' }, variable: 'PHOENIX_MAX_TERMINATIONS_PER_RUN' },
    { case: 'blackout not a date', env: { ...minimal, PHOENIX_BLACKOUTS: 'xmas' }, variable: 'PHOENIX_BLACKOUTS' },
    { case: 'metrics split by an unknown key', env: { ...minimal, PHOENIX_METRIC_DIMENSIONS: 'instance' }, variable: 'PHOENIX_METRIC_DIMENSIONS' },
  ])('refuses $case, naming the variable', ({ env, variable }) => {
    expect(() => parseRecyclerConfig(env)).toThrow(ConfigError);
    expect(() => parseRecyclerConfig(env)).toThrow(new RegExp(`^${variable}=`));
  });
});

describe('account limits', () => {
  const base = { PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE: 'live' };

  it('reads the ceiling on group budgets, the floor under min-healthy and the weekly snoozes; none and 3 by default', () => {
    expect(parseRecyclerConfig(base).tick.limits).toEqual({ maxBudget: undefined, minHealthyFloor: 0, maxSnoozesPerWeek: 3 });
    expect(
      parseRecyclerConfig({ ...base, PHOENIX_MAX_GROUP_BUDGET: '6/day', PHOENIX_MIN_HEALTHY_FLOOR: '80', PHOENIX_MAX_SNOOZES_PER_WEEK: '0' }).tick.limits,
    ).toMatchObject({
      maxBudget: { text: '6/day' },
      minHealthyFloor: 80,
      maxSnoozesPerWeek: 0,
    });
  });

  it.each([
    { variable: 'PHOENIX_MAX_GROUP_BUDGET', value: '6 per day', says: 'PHOENIX_MAX_GROUP_BUDGET="6 per day": expected N/hour' },
    { variable: 'PHOENIX_MIN_HEALTHY_FLOOR', value: '101', says: 'PHOENIX_MIN_HEALTHY_FLOOR="101": expected a whole number from 0 to 100' },
    { variable: 'PHOENIX_MAX_SNOOZES_PER_WEEK', value: 'three', says: 'PHOENIX_MAX_SNOOZES_PER_WEEK="three": expected a whole number from 0 to 50' },
  ])('refuses $variable=$value, naming it', ({ variable, value, says }) => {
    expect(() => parseRecyclerConfig({ ...base, [variable]: value })).toThrow(says);
  });
});

describe('the version breaker', () => {
  const base = { PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE: 'live' };

  it('blocks after 2 groups fail within a day and bakes a canary 30 minutes by default; each is a deploy parameter', () => {
    expect(parseRecyclerConfig(base).tick.breaker).toEqual({ failuresToBlock: 2, period: DAY, bakeTime: 30 * MINUTE });
    const chosen = { ...base, PHOENIX_BREAKER_FAILURES: '3', PHOENIX_BREAKER_PERIOD_HOURS: '6', PHOENIX_CANARY_BAKE_MINUTES: '0' };
    expect(parseRecyclerConfig(chosen).tick.breaker).toEqual({ failuresToBlock: 3, period: 6 * HOUR, bakeTime: 0 });
  });

  it.each([
    { variable: 'PHOENIX_BREAKER_FAILURES', value: '0', says: 'PHOENIX_BREAKER_FAILURES="0": expected a whole number from 1 to 100' },
    { variable: 'PHOENIX_BREAKER_PERIOD_HOURS', value: '1d', says: 'PHOENIX_BREAKER_PERIOD_HOURS="1d": expected a whole number from 1 to 216' },
    { variable: 'PHOENIX_CANARY_BAKE_MINUTES', value: '-5', says: 'PHOENIX_CANARY_BAKE_MINUTES="-5": expected a whole number from 0 to 1440' },
  ])('refuses $variable=$value, naming it', ({ variable, value, says }) => {
    expect(() => parseRecyclerConfig({ ...base, [variable]: value })).toThrow(says);
  });
});

describe('events', () => {
  it('takes the tick time from the scheduled event', () => {
    expect(scheduledTime({ time: '2026-11-23T10:00:00Z' })).toBe(Date.UTC(2026, 10, 23, 10));
  });

  it.each([
    { case: 'on time: the event time', delay: 0, expected: Date.UTC(2026, 10, 23, 10) },
    { case: 'delivered 4 minutes late: the clock, so nothing is recorded before it happened', delay: 4 * MINUTE, expected: Date.UTC(2026, 10, 23, 10, 4) },
    { case: 'a clock a second behind the event: the event time', delay: -1000, expected: Date.UTC(2026, 10, 23, 10) },
    { case: 'a clock two minutes behind the event: still the event time', delay: -2 * MINUTE, expected: Date.UTC(2026, 10, 23, 10) },
    { case: 'an event just past the drift a clock may have: the clock', delay: -2 * MINUTE - 1000, expected: Date.UTC(2026, 10, 23, 9, 57, 59) },
    { case: 'an event from next year: the clock', delay: -190 * 24 * 60 * MINUTE, expected: Date.UTC(2026, 10, 23, 10) - 190 * 24 * 60 * MINUTE },
  ])('a run decides at $case', ({ delay, expected }) => {
    expect(runTime({ time: '2026-11-23T10:00:00Z' }, Date.UTC(2026, 10, 23, 10) + delay)).toBe(expected);
  });

  it('a tick is known by its schedule event time, late or early within a drift; a time from the future identifies nothing', () => {
    const event = { time: '2026-11-23T10:00:00Z' };
    expect(tickScope(event, Date.UTC(2026, 10, 23, 10, 3))).toEqual({ kind: 'tick', scheduledAt: Date.UTC(2026, 10, 23, 10) });
    expect(tickScope(event, Date.UTC(2026, 10, 23, 9, 58))).toEqual({ kind: 'tick', scheduledAt: Date.UTC(2026, 10, 23, 10) });
    expect(tickScope(event, Date.UTC(2026, 10, 23, 9, 57, 59))).toEqual({ kind: 'tick', scheduledAt: undefined });
    expect(() => tickScope({}, Date.UTC(2026, 10, 23, 10))).toThrow(/event\.time/);
  });

  it('says why it distrusts an event time from the future, and only then', () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = { warn: (_message: string, fields: Readonly<Record<string, unknown>>) => void warnings.push({ ...fields }) };
    runTime({ time: '2027-06-01T00:00:00Z' }, Date.UTC(2026, 10, 23, 10), logger);
    runTime({ time: '2026-11-23T10:01:00Z' }, Date.UTC(2026, 10, 23, 10), logger);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ eventTime: '2027-06-01T00:00:00.000Z', clock: '2026-11-23T10:00:00.000Z' });
    expect(String(warnings[0]?.['why'])).toContain('ahead of the clock');
  });

  it.each([
    { case: 'no time', event: {} },
    { case: 'not a time', event: { time: 'now' } },
    { case: 'not an object', event: 'tick' },
  ])('rejects $case', ({ event }) => {
    expect(() => scheduledTime(event)).toThrow('event.time');
  });

  it.each([
    { case: 'the schedule sweeps every open replacement', event: { source: 'aws.events', 'detail-type': 'Scheduled Event' }, groups: undefined },
    {
      case: 'a launch names its group',
      event: { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', detail: { AutoScalingGroupName: 'web' } },
      groups: ['web'],
    },
    {
      case: 'a termination names its group',
      event: { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Terminate Successful', detail: { AutoScalingGroupName: 'api' } },
      groups: ['api'],
    },
  ])('verifier scope: $case', ({ event, groups }) => {
    expect(verifierScope(event)).toEqual(groups);
  });

  it.each([
    {
      case: 'an Auto Scaling event without a group',
      event: { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', detail: {} },
      says: 'event.detail.AutoScalingGroupName',
    },
    {
      case: 'another kind of event',
      event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' },
      says: 'event.detail-type="aws.ec2/EC2 Instance State-change Notification"',
    },
  ])('verifier rejects $case', ({ event, says }) => {
    expect(() => verifierScope(event)).toThrow(says);
  });
});

describe('reporter configuration', () => {
  const reporter = {
    PHOENIX_LEDGER_TABLE: 'ledger',
    PHOENIX_REPORT_BUCKET: 'phoenix-reports',
    PHOENIX_REPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:phoenix-reports',
    AWS_REGION: 'eu-west-1',
  };

  it('reads the bucket, topic and region, and defaults the zone to UTC and the bus to default', () => {
    expect(parseReporterConfig(reporter)).toEqual({
      ...{ ledgerTable: 'ledger', bucket: 'phoenix-reports', topicArn: reporter.PHOENIX_REPORT_TOPIC_ARN, region: 'eu-west-1' },
      timeZone: 'UTC',
      eventBusName: 'default',
      ownerTagKey: 'team',
    });
  });

  it.each([
    { case: 'no bucket', env: { ...reporter, PHOENIX_REPORT_BUCKET: '' }, message: 'PHOENIX_REPORT_BUCKET="": expected the name of the S3 bucket' },
    {
      case: 'a topic name instead of its ARN',
      env: { ...reporter, PHOENIX_REPORT_TOPIC_ARN: 'phoenix-reports' },
      message: 'PHOENIX_REPORT_TOPIC_ARN="phoenix-reports": expected an SNS topic ARN',
    },
    {
      case: 'an unknown time zone',
      env: { ...reporter, PHOENIX_REPORT_TIME_ZONE: 'Europe/Atlantis' },
      message: 'PHOENIX_REPORT_TIME_ZONE="Europe/Atlantis": expected an IANA time zone',
    },
  ])('refuses $case, naming the variable', ({ env, message }) => {
    expect(() => parseReporterConfig(env)).toThrow(ConfigError);
    expect(() => parseReporterConfig(env)).toThrow(message);
  });
});

describe('reportWeek', () => {
  const monday = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-23T08:00:00Z', detail: {} };

  it('the schedule reports the week that ended before the event time, in the report zone', () => {
    expect(reportWeek(monday, 'UTC')).toBe('2026-W47');
    expect(reportWeek({ ...monday, time: '2026-11-23T03:00:00Z' }, 'America/Los_Angeles')).toBe('2026-W46');
  });

  it('a direct invocation may name a past week', () => {
    expect(reportWeek({ week: '2026-W40' }, 'UTC')).toBe('2026-W40');
  });

  it.each([
    {
      case: 'a week that does not exist',
      event: { week: '2025-W53' },
      message: 'event.week="2025-W53": expected an ISO week such as 2026-W47 (week "2025-W53" is not valid: 2025 has weeks W01 to W52',
    },
    { case: 'a week that is not text', event: { week: 47 }, message: 'event.week=(unset): expected an ISO week such as 2026-W47' },
    { case: 'neither a week nor a schedule', event: { hello: 'world' }, message: 'event.time=(unset)' },
  ])('refuses $case', ({ event, message }) => {
    expect(() => reportWeek(event, 'UTC')).toThrow(message);
  });
});

describe('the bounds of the settings table', () => {
  // A whole setting without a variable (the alarm's threshold) only the stack reads.
  const wholes = Object.values(SETTINGS).filter((setting) => setting.kind === 'whole' && 'variable' in setting);

  it.each(wholes.map((setting) => ({ variable: setting.variable.name, setting })))(
    '$variable takes its bounds and default from the table',
    ({ variable, setting }) => {
      expect(() => parseRecyclerConfig({ ...minimal, [variable]: String(setting.min) })).not.toThrow();
      expect(() => parseRecyclerConfig({ ...minimal, [variable]: String(setting.max) })).not.toThrow();
      expect(() => parseRecyclerConfig({ ...minimal, [variable]: String(setting.max + 1) })).toThrow(
        `${variable}="${setting.max + 1}": expected a whole number from ${setting.min} to ${setting.max}`,
      );
      if (setting.min > 0) expect(() => parseRecyclerConfig({ ...minimal, [variable]: String(setting.min - 1) })).toThrow(ConfigError);
    },
  );

  it('a one-minute schedule is refused, as the stack refuses it', () => {
    expect(() => parseRecyclerConfig({ ...minimal, PHOENIX_SCHEDULE_MINUTES: '1' })).toThrow(
      'PHOENIX_SCHEDULE_MINUTES="1": expected a whole number from 2 to 1440',
    );
  });
});

describe('tainter configuration', () => {
  it.each([
    { case: 'unset: the default bus', env: {}, bus: 'default' },
    { case: 'empty: the default bus', env: { PHOENIX_EVENT_BUS: ' ' }, bus: 'default' },
    { case: "the stack's bus", env: { PHOENIX_EVENT_BUS: ' phoenix-prod ' }, bus: 'phoenix-prod' },
  ])('reads the event bus, as the recycler does: $case', ({ env, bus }) => {
    expect(parseTainterConfig(env)).toEqual({ eventBusName: bus, ownerTagKey: 'team' });
    expect(parseRecyclerConfig({ ...minimal, ...env }).eventBusName).toBe(bus);
    expect(Object.isFrozen(parseTainterConfig(env))).toBe(true);
  });
});

describe('errors name their cause by type', () => {
  it.each([
    { case: 'an event without a time', parse: () => scheduledTime({}), field: 'event.time', value: undefined },
    { case: 'a week that does not exist', parse: () => reportWeek({ week: '2025-W53' }, 'UTC'), field: 'event.week', value: '2025-W53' },
    { case: 'another kind of event', parse: () => verifierScope({ source: 'aws.ec2', 'detail-type': 'X' }), field: 'event.detail-type', value: 'aws.ec2/X' },
  ])('a malformed event is an EventError, not a bad deploy parameter: $case', ({ parse, field, value }) => {
    let thrown: unknown;
    try {
      parse();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventError);
    expect(thrown).not.toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ name: 'EventError', field, value });
  });

  it('keeps what it was found from as its cause', () => {
    expect(() => reportWeek({ week: '2025-W53' }, 'UTC')).toThrow(expect.objectContaining({ cause: expect.any(IsoWeekError) }));
    const reporter = {
      PHOENIX_LEDGER_TABLE: 'l',
      PHOENIX_REPORT_BUCKET: 'b',
      PHOENIX_REPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:t',
      AWS_REGION: 'eu-west-1',
    };
    expect(() => parseReporterConfig({ ...reporter, PHOENIX_REPORT_TIME_ZONE: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', variable: 'PHOENIX_REPORT_TIME_ZONE', cause: expect.any(TimeZoneError) }),
    );
  });
});
