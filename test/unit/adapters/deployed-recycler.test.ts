import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaDeployedRecycler } from '../../../functions/adapters/deployed-recycler.js';

const lambda = mockClient(LambdaClient);
const recycler = new LambdaDeployedRecycler(
  new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
  'phoenix-prod-recycler',
  { ledgerTable: 'PHOENIX_LEDGER_TABLE', modeParameter: 'PHOENIX_MODE_PARAMETER', mode: 'PHOENIX_MODE', stopAlarms: 'PHOENIX_STOP_ALARMS' },
);
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

afterEach(() => {
  lambda.reset();
});

describe('LambdaDeployedRecycler', () => {
  it("reads the stack's settings from the function's environment", async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'phoenix-prod-recycler' }).resolves({
      Environment: { Variables: { PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE_PARAMETER: '/phoenix/prod/mode', PHOENIX_STOP_ALARMS: 'a, b' } },
    });
    expect(await recycler.facts()).toEqual({
      functionName: 'phoenix-prod-recycler',
      ledgerTable: 'ledger',
      modeParameter: '/phoenix/prod/mode',
      fixedMode: undefined,
      stopAlarms: ['a', 'b'],
    });
  });

  it('says there is no such function as undefined, and refuses a function that is not a Phoenix recycler', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejectsOnce(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));
    expect(await recycler.facts()).toBeUndefined();
    lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: {} } });
    await expect(recycler.facts()).rejects.toThrow('phoenix-prod-recycler has no PHOENIX_LEDGER_TABLE: it is not a Phoenix recycler');
  });

  it("invokes with the self-test event and returns the function's answer, or its error", async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ Payload: bytes({ decision: 'start' }) })
      .resolvesOnce({ FunctionError: 'Unhandled', Payload: bytes({ errorType: 'SelftestRefusedError', errorMessage: 'refused' }) });
    expect(await recycler.invoke({ action: 'recycle', group: 'g' })).toEqual({ ok: true, answer: { decision: 'start' } });
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array;
    expect(new TextDecoder().decode(sent)).toBe('{"selftest":{"action":"recycle","group":"g"}}');
    expect(await recycler.invoke({ action: 'recycle', group: 'web' })).toEqual({ ok: false, error: 'SelftestRefusedError: refused' });
  });
});
