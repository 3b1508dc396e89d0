import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { CloudWatchAlarms } from '../../functions/adapters/alarms.js';
import { MissingStopAlarmError } from '../../functions/adapters/errors.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();
/** Creating 150 alarms one call at a time takes seconds; a loaded machine must not time out. */
const SLOW = 30_000;

function cloudWatch(): CloudWatchClient {
  return new CloudWatchClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
}

async function putAlarm(client: CloudWatchClient, name: string, state?: StateValue): Promise<void> {
  await client.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Phoenix/Test',
      MetricName: `${name}-metric`,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  if (state !== undefined) await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'test' }));
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
}

describe('CloudWatchAlarms against moto', () => {
  it(
    'returns exactly the alarm set to ALARM',
    async () => {
      const client = cloudWatch();
      await putAlarm(client, 'errors', 'ALARM');
      await putAlarm(client, 'latency');
      expect(await new CloudWatchAlarms({ client }).alarmsInAlarm(['errors', 'latency'])).toEqual(['errors']);
    },
    SLOW,
  );

  it(
    'an alarm back to OK is no longer returned',
    async () => {
      const client = cloudWatch();
      await putAlarm(client, 'errors', 'ALARM');
      await putAlarm(client, 'latency', 'ALARM');
      await client.send(new SetAlarmStateCommand({ AlarmName: 'errors', StateValue: 'OK', StateReason: 'recovered' }));
      expect(await new CloudWatchAlarms({ client }).alarmsInAlarm(['errors', 'latency'])).toEqual(['latency']);
    },
    SLOW,
  );

  it.each([
    { case: 'a typo next to an existing alarm', asked: ['errors', 'erors'], missing: ['erors'] },
    { case: 'only missing alarms', asked: ['gone', 'also-gone'], missing: ['gone', 'also-gone'] },
  ])(
    '$case throws MissingStopAlarmError naming it',
    async ({ asked, missing }) => {
      const client = cloudWatch();
      await putAlarm(client, 'errors', 'ALARM');
      const error = await caught(new CloudWatchAlarms({ client }).alarmsInAlarm(asked));
      expect(error).toBeInstanceOf(MissingStopAlarmError);
      expect((error as MissingStopAlarmError).missing).toEqual(missing);
    },
    SLOW,
  );

  it(
    '150 names are asked in two calls and all answered',
    async () => {
      const client = cloudWatch();
      const names = Array.from({ length: 150 }, (_, index) => `alarm-${String(index).padStart(3, '0')}`);
      for (const [index, name] of names.entries()) await putAlarm(client, name, index % 50 === 49 ? 'ALARM' : undefined);
      expect(await new CloudWatchAlarms({ client }).alarmsInAlarm(names)).toEqual(['alarm-049', 'alarm-099', 'alarm-149']);
    },
    SLOW,
  );
});
