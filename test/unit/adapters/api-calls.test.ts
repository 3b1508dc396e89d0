import { Readable } from 'node:stream';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ApiCallCounter } from '../../../functions/adapters/api-calls.js';

/** A client whose every HTTP attempt gets `status`: nothing leaves the process. */
function client(status: number): { ssm: SSMClient; attempts: () => number } {
  let attempts = 0;
  const ssm = new SSMClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
    requestHandler: {
      handle: async () => {
        attempts += 1;
        const body = status === 200 ? '{"Parameter":{"Value":"live"}}' : '{"__type":"InternalServerError","message":"boom"}';
        return { response: { statusCode: status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([body]) } };
      },
    },
  });
  return { ssm, attempts: () => attempts };
}

describe('ApiCallCounter', () => {
  it('counts one call per command sent, and take() starts the next run from zero', async () => {
    const counter = new ApiCallCounter();
    const { ssm } = client(200);
    counter.watch(ssm);
    await ssm.send(new GetParameterCommand({ Name: '/phoenix/mode' }));
    await ssm.send(new GetParameterCommand({ Name: '/phoenix/mode' }));
    expect(counter.take()).toBe(2);
    expect(counter.take()).toBe(0);
  });

  it("does not count the SDK's retries: the figure compares with the calls a tick should need", async () => {
    const counter = new ApiCallCounter();
    const { ssm, attempts } = client(500);
    counter.watch(ssm);
    await expect(ssm.send(new GetParameterCommand({ Name: '/phoenix/mode' }))).rejects.toThrow();
    expect(attempts()).toBe(3);
    expect(counter.take()).toBe(1);
  });
});
