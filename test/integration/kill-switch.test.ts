import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { CloudWatchAlarms } from '../../functions/adapters/alarms.js';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { SsmSettings } from '../../functions/adapters/settings.js';
import { runTick } from '../../functions/app/tick.js';
import { HOUR, MINUTE } from '../../functions/core/model.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { MemoryLedger } from '../../sim/memory-ledger.js';
import { awsClients, createGroup, instanceIds, launchTemplate } from '../support/aws-fixtures.js';
import { RecordingLogger } from '../support/fakes.js';
import { OPTED_IN } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();

async function world(mode: string, alarmState: 'OK' | 'ALARM') {
  const { endpoint } = moto();
  const clients = awsClients(endpoint);
  const ssm = new SSMClient({ ...MOTO_CLIENT_CONFIG, endpoint });
  const cloudWatch = new CloudWatchClient({ ...MOTO_CLIENT_CONFIG, endpoint });
  await ssm.send(new PutParameterCommand({ Name: '/phoenix/mode', Value: mode, Type: 'String', Overwrite: true }));
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'api-5xx',
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'api-5xx', StateValue: alarmState, StateReason: 'test' }));
  const templateId = await launchTemplate(clients);
  const before = await createGroup(clients, {
    name: 'web',
    size: 3,
    templateId,
    tags: { ...OPTED_IN, 'phoenix:max-age': '1h', 'phoenix:min-healthy': '60' },
  });
  const logger = new RecordingLogger();
  const deps = {
    fleet: new AwsFleet(clients),
    ledger: new MemoryLedger(),
    events: new MemoryEvents(),
    alarms: new CloudWatchAlarms({ client: cloudWatch }),
    settings: new SsmSettings({ client: ssm, parameterName: '/phoenix/mode', cacheSeconds: 0 }),
    logger,
    chaosSeed: 1,
  };
  const result = await runTick(deps, { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: ['api-5xx'], maxTerminationsPerRun: 10 }, Date.now() + 2 * HOUR);
  return { result, logger, before, after: await instanceIds(clients, 'web') };
}

describe('kill switch and stop conditions against moto', () => {
  it.each([
    { case: 'mode parameter off', mode: 'off', alarm: 'OK' as const, says: 'global mode is off' },
    { case: 'a stop alarm in ALARM', mode: 'live', alarm: 'ALARM' as const, says: 'stop alarm in ALARM: api-5xx' },
    { case: 'a mode value nobody understands', mode: 'on', alarm: 'OK' as const, says: 'could not read the global mode' },
  ])(
    '$case: the tick terminates nothing and logs why',
    async ({ mode, alarm, says }) => {
      const { result, logger, before, after } = await world(mode, alarm);
      expect(after).toEqual(before);
      expect(result.outcomes).toEqual([]);
      expect(logger.lines.find((line) => line.message === 'tick blocked')?.fields['why']).toContain(says);
    },
    60_000,
  );

  it('live with the alarm OK: the same fleet is recycled', async () => {
    const { result, before, after } = await world('live', 'OK');
    expect(result.outcomes).toMatchObject([{ kind: 'terminated' }]);
    expect(after).not.toEqual(before);
  }, 60_000);
});
