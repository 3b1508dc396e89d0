import { describe, expect, it } from 'vitest';
import { ConfigError, parseRecyclerConfig, scheduledTime, verifierScope } from '../../functions/app/config.js';
import { MINUTE } from '../../functions/core/model.js';

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
    });
    expect(config).toMatchObject({ ledgerTable: 'ledger', mode: { kind: 'fixed', mode: 'live' }, eventBusName: 'ops', tick: { tickInterval: 5 * MINUTE, stopAlarms: ['api-5xx', 'p99-latency'], maxTerminationsPerRun: 3 } });
    expect(config.tick.blackouts).toHaveLength(1);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('an SSM parameter, when named, is where the mode comes from', () => {
    expect(parseRecyclerConfig({ PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE_PARAMETER: '/phoenix/mode' }).mode).toEqual({ kind: 'parameter', name: '/phoenix/mode' });
  });

  it('defaults what is safe to default', () => {
    expect(parseRecyclerConfig(minimal)).toMatchObject({ eventBusName: 'default', tick: { tickInterval: 10 * MINUTE, stopAlarms: [], blackouts: [], maxTerminationsPerRun: 10 } });
  });

  it.each([
    { case: 'no ledger table', env: { PHOENIX_MODE: 'live' }, variable: 'PHOENIX_LEDGER_TABLE' },
    { case: 'no mode: a deployment must say whether it acts', env: { PHOENIX_LEDGER_TABLE: 'x' }, variable: 'PHOENIX_MODE' },
    { case: 'unknown mode', env: { ...minimal, PHOENIX_MODE: 'yes' }, variable: 'PHOENIX_MODE' },
    { case: 'schedule not a number', env: { ...minimal, PHOENIX_SCHEDULE_MINUTES: '10m' }, variable: 'PHOENIX_SCHEDULE_MINUTES' },
    { case: 'per-run limit too high', env: { ...minimal, PHOENIX_MAX_TERMINATIONS_PER_RUN: '5000' }, variable: 'PHOENIX_MAX_TERMINATIONS_PER_RUN' },
    { case: 'blackout not a date', env: { ...minimal, PHOENIX_BLACKOUTS: 'xmas' }, variable: 'PHOENIX_BLACKOUTS' },
  ])('refuses $case, naming the variable', ({ env, variable }) => {
    expect(() => parseRecyclerConfig(env)).toThrow(ConfigError);
    expect(() => parseRecyclerConfig(env)).toThrow(new RegExp(`^${variable}=`));
  });
});

describe('events', () => {
  it('takes the tick time from the scheduled event', () => {
    expect(scheduledTime({ time: '2026-11-23T10:00:00Z' })).toBe(Date.UTC(2026, 10, 23, 10));
  });

  it.each([{ case: 'no time', event: {} }, { case: 'not a time', event: { time: 'now' } }, { case: 'not an object', event: 'tick' }])('rejects $case', ({ event }) => {
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
    { case: 'an Auto Scaling event without a group', event: { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', detail: {} }, says: 'event.detail.AutoScalingGroupName' },
    { case: 'another kind of event', event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' }, says: 'event.detail-type="aws.ec2/EC2 Instance State-change Notification"' },
  ])('verifier rejects $case', ({ event, says }) => {
    expect(() => verifierScope(event)).toThrow(says);
  });
});
