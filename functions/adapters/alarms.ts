import { type CloudWatchClient, DescribeAlarmsCommand, StateValue } from '@aws-sdk/client-cloudwatch';
import type { AlarmsPort } from '../core/ports.js';
import { MissingStopAlarmError } from './errors.js';

/** DescribeAlarms accepts at most 100 alarm names per call. */
export const MAX_NAMES_PER_CALL = 100;

export interface CloudWatchAlarmsOptions {
  readonly client: CloudWatchClient;
}

/** Reads the state of the configured stop alarms, metric and composite alike. */
export class CloudWatchAlarms implements AlarmsPort {
  private readonly client: CloudWatchClient;

  constructor(options: CloudWatchAlarmsOptions) {
    this.client = options.client;
  }

  async alarmsInAlarm(names: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(names)];
    const states = new Map<string, string | undefined>();
    for (let start = 0; start < wanted.length; start += MAX_NAMES_PER_CALL) {
      const chunk = wanted.slice(start, start + MAX_NAMES_PER_CALL);
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: chunk,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: MAX_NAMES_PER_CALL,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName !== undefined) states.set(alarm.AlarmName, alarm.StateValue);
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined && nextToken !== '');
    }
    const missing = wanted.filter((name) => !states.has(name));
    if (missing.length > 0) throw new MissingStopAlarmError(missing);
    return wanted.filter((name) => states.get(name) === StateValue.ALARM);
  }
}
