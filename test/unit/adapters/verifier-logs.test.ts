import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchVerifierLogs } from '../../../functions/adapters/verifier-logs.js';
import { NOW } from '../../support/clock.js';

const config = { region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const logsMock = mockClient(CloudWatchLogsClient);
const lambdaMock = mockClient(LambdaClient);
const logs = new CloudWatchVerifierLogs(new CloudWatchLogsClient(config), new LambdaClient(config), 'phoenix-prod-verifier');

afterEach(() => {
  logsMock.reset();
  lambdaMock.reset();
});

const received = (fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 'INFO', message: 'auto scaling event received', service: 'phoenix', function: 'verifier', ...fields });

describe('CloudWatchVerifierLogs', () => {
  it("reads the verifier's lines about Auto Scaling's events over every page, with when each was written", async () => {
    logsMock
      .on(FilterLogEventsCommand)
      .resolvesOnce({
        events: [
          {
            timestamp: NOW + 2000,
            message: received({
              detailType: 'EC2 Instance Terminate Successful',
              group: 'g',
              instanceId: 'i-0old',
              eventId: 'e1',
              eventTime: '2026-11-23T12:00:00Z',
            }),
          },
          { timestamp: NOW + 2500, message: 'START RequestId: 1 Version: $LATEST' },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        events: [
          {
            timestamp: NOW + 9000,
            // Lambda's text format puts its own prefix before what the function wrote.
            message: `2026-11-23T12:00:09.000Z\tr2\tINFO\t${received({ detailType: 'EC2 Instance Launch Successful', group: 'g', instanceId: 'i-0new', eventId: 'e2' })}`,
          },
        ],
      });
    expect(await logs.receivedEvents(NOW)).toEqual([
      {
        detailType: 'EC2 Instance Terminate Successful',
        group: 'g',
        instanceId: 'i-0old',
        eventId: 'e1',
        eventTime: '2026-11-23T12:00:00Z',
        receivedAt: NOW + 2000,
      },
      { detailType: 'EC2 Instance Launch Successful', group: 'g', instanceId: 'i-0new', eventId: 'e2', eventTime: null, receivedAt: NOW + 9000 },
    ]);
    // The paginator hands each page the same input object, so only the last state of it can be seen.
    const calls = logsMock.commandCalls(FilterLogEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toMatchObject({
      logGroupName: '/aws/lambda/phoenix-prod-verifier',
      startTime: NOW,
      filterPattern: '"auto scaling event received"',
      nextToken: 'page-2',
    });
  });

  it('says a log group that does not exist as undefined, and passes a refusal on', async () => {
    logsMock.on(FilterLogEventsCommand).rejectsOnce(Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' }));
    expect(await logs.receivedEvents(NOW)).toBeUndefined();
    logsMock.on(FilterLogEventsCommand).rejects(Object.assign(new Error('not authorized to perform: logs:FilterLogEvents'), { name: 'AccessDeniedException' }));
    await expect(logs.receivedEvents(NOW)).rejects.toThrow('logs:FilterLogEvents');
  });

  it('is deployed when Lambda knows the verifier function', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'phoenix-prod-verifier' }).resolvesOnce({ Environment: { Variables: {} } });
    expect(await logs.deployed()).toBe(true);
    lambdaMock.on(GetFunctionConfigurationCommand).rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));
    expect(await logs.deployed()).toBe(false);
  });
});
