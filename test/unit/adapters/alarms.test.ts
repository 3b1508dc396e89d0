import {
  CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  type MetricAlarm,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchAlarms } from '../../../functions/adapters/alarms.js';
import { MissingStopAlarmError } from '../../../functions/adapters/errors.js';

const cloudWatch = mockClient(CloudWatchClient);
const alarms = new CloudWatchAlarms({
  client: new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
});

afterEach(() => {
  cloudWatch.reset();
});

interface StoredAlarm {
  readonly name: string;
  readonly state: StateValue;
  readonly composite?: boolean;
}

/**
 * Answers DescribeAlarms like CloudWatch: only the named alarms that exist, `pageSize` per page,
 * continued by NextToken.
 */
function serve(stored: readonly StoredAlarm[], pageSize = 100): void {
  cloudWatch.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => {
    const matching = stored.filter((alarm) => input.AlarmNames?.includes(alarm.name) ?? true);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = matching.slice(start, start + pageSize);
    const metric: MetricAlarm[] = page.filter((alarm) => alarm.composite !== true).map((alarm) => ({ AlarmName: alarm.name, StateValue: alarm.state }));
    const composite: CompositeAlarm[] = page.filter((alarm) => alarm.composite === true).map((alarm) => ({ AlarmName: alarm.name, StateValue: alarm.state }));
    return {
      MetricAlarms: metric,
      CompositeAlarms: composite,
      ...(start + pageSize < matching.length ? { NextToken: String(start + pageSize) } : {}),
    };
  });
}

function calls(): DescribeAlarmsCommandInput[] {
  return cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
}

const names = (count: number, prefix = 'alarm'): string[] => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

describe('CloudWatchAlarms states', () => {
  const stored: StoredAlarm[] = [
    { name: 'errors', state: 'ALARM' },
    { name: 'latency', state: 'OK' },
    { name: 'new-metric', state: 'INSUFFICIENT_DATA' },
    { name: 'service-health', state: 'ALARM', composite: true },
    { name: 'db-health', state: 'OK', composite: true },
  ];

  it.each([
    {
      case: 'mixed states: only the ALARM ones',
      asked: ['errors', 'latency', 'new-metric', 'service-health', 'db-health'],
      expected: ['errors', 'service-health'],
    },
    { case: 'none in ALARM', asked: ['latency', 'new-metric', 'db-health'], expected: [] },
    { case: 'INSUFFICIENT_DATA is not ALARM', asked: ['new-metric'], expected: [] },
    { case: 'a composite alarm in ALARM', asked: ['service-health'], expected: ['service-health'] },
    { case: 'results follow the order asked', asked: ['service-health', 'errors'], expected: ['service-health', 'errors'] },
    { case: 'a name asked twice is answered once', asked: ['errors', 'errors'], expected: ['errors'] },
  ])('$case', async ({ asked, expected }) => {
    serve(stored);
    expect(await alarms.alarmsInAlarm(asked)).toEqual(expected);
  });

  it('asks for metric and composite alarms by name', async () => {
    serve(stored);
    await alarms.alarmsInAlarm(['errors', 'service-health']);
    expect(calls()).toEqual([{ AlarmNames: ['errors', 'service-health'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 }]);
  });

  it('no names makes no call', async () => {
    serve(stored);
    expect(await alarms.alarmsInAlarm([])).toEqual([]);
    expect(calls()).toEqual([]);
  });
});

describe('CloudWatchAlarms paging', () => {
  it.each([
    { case: '100 names fit one call', count: 100, chunks: [100] },
    { case: '150 names take two calls', count: 150, chunks: [100, 50] },
    { case: '201 names take three calls', count: 201, chunks: [100, 100, 1] },
  ])('$case', async ({ count, chunks }) => {
    const asked = names(count);
    serve(asked.map((name, index) => ({ name, state: index % 7 === 0 ? 'ALARM' : 'OK' })));
    expect(await alarms.alarmsInAlarm(asked)).toEqual(asked.filter((_, index) => index % 7 === 0));
    expect(calls().map((input) => input.AlarmNames?.length)).toEqual(chunks);
    expect(calls().flatMap((input) => input.AlarmNames ?? [])).toEqual(asked);
  });

  it('follows NextToken until the last page', async () => {
    const asked = names(5);
    serve(
      asked.map((name) => ({ name, state: 'ALARM' })),
      2,
    );
    expect(await alarms.alarmsInAlarm(asked)).toEqual(asked);
    expect(calls().map((input) => input.NextToken)).toEqual([undefined, '2', '4']);
    expect(calls().every((input) => input.AlarmNames?.length === 5)).toBe(true);
  });
});

describe('CloudWatchAlarms failures', () => {
  it.each([
    { case: 'one typo among existing alarms', asked: ['errors', 'erors'], missing: ['erors'] },
    { case: 'every alarm missing', asked: ['a', 'b'], missing: ['a', 'b'] },
    { case: 'a missing alarm in the second chunk of names', asked: [...names(120), 'gone'], missing: ['gone'] },
  ])('$case: MissingStopAlarmError names it', async ({ asked, missing }) => {
    serve([{ name: 'errors', state: 'ALARM' }, ...names(120).map((name) => ({ name, state: 'OK' as const }))]);
    const error: unknown = await alarms.alarmsInAlarm(asked).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(MissingStopAlarmError);
    expect((error as MissingStopAlarmError).name).toBe('MissingStopAlarmError');
    expect((error as MissingStopAlarmError).missing).toEqual(missing);
    for (const name of missing) expect((error as MissingStopAlarmError).message).toContain(name);
  });

  it('AccessDenied propagates unchanged', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' });
    cloudWatch.on(DescribeAlarmsCommand).rejects(denied);
    await expect(alarms.alarmsInAlarm(['errors'])).rejects.toBe(denied);
  });
});
