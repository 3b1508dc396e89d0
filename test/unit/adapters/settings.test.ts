import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModeParameterError } from '../../../functions/adapters/errors.js';
import { SsmSettings } from '../../../functions/adapters/settings.js';

const ssmMock = mockClient(SSMClient);
afterEach(() => {
  ssmMock.reset();
  vi.useRealTimers();
});

/** Powertools' cache reads the clock itself: the test moves Date. */
function at(millis: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(millis);
}

function settings() {
  return new SsmSettings({ client: new SSMClient({ region: 'eu-west-1' }), parameterName: '/phoenix/mode', cacheSeconds: 10 });
}

describe('SsmSettings', () => {
  it.each(['live', 'dry-run', 'off'])('reads %s', async (value) => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: value } });
    expect(await settings().globalMode()).toBe(value);
    // A plain String parameter: no KMS permission is needed.
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({ Name: '/phoenix/mode', WithDecryption: false });
  });

  it('reuses a value for the cache time only, so a switch takes effect within it', async () => {
    at(0);
    const port = settings();
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'live' } })
      .resolves({ Parameter: { Value: 'off' } });
    expect(await port.globalMode()).toBe('live');
    at(10_000);
    expect(await port.globalMode()).toBe('live');
    at(10_001);
    expect(await port.globalMode()).toBe('off');
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it.each([
    { case: 'a value it does not understand', value: 'on' },
    { case: 'an empty value', value: undefined },
  ])('rejects $case, naming the parameter', async ({ value }) => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: value === undefined ? {} : { Value: value } });
    const read = settings().globalMode();
    await expect(read).rejects.toThrow(ModeParameterError);
    await expect(settings().globalMode()).rejects.toThrow('/phoenix/mode');
  });

  it('propagates AccessDenied (the tick then blocks terminations)', async () => {
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(settings().globalMode()).rejects.toThrow('denied');
  });
});
