import { describe, expect, it } from 'vitest';
import { failureLine } from '../../../functions/cli/failures.js';
import { CREDENTIALS, cli, NO_AWS, STACK_LINE } from '../../support/cli.js';

// Nothing listens on the discard port of the loopback address: the connection is refused at once.
const CLOSED = 'http://127.0.0.1:9';

describe('an AWS or environment failure is one line naming the cause and the fix, exit 1', () => {
  it.each([
    { case: 'no region', argv: ['plan'], env: NO_AWS, stderr: 'phoenix plan: no AWS region: pass --region or set AWS_REGION' },
    {
      case: 'no credentials',
      argv: ['plan', '--region', 'eu-west-1'],
      env: NO_AWS,
      stderr: 'phoenix plan: no AWS credentials: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    },
    {
      case: 'an unknown --profile, named',
      argv: ['report', '--region', 'eu-west-1', '--profile', 'nosuch', '--week', '2026-W47'],
      env: NO_AWS,
      stderr:
        'phoenix report: profile "nosuch" not found or without credentials in ~/.aws/config and ~/.aws/credentials: check --profile or AWS_PROFILE (aws configure list-profiles)',
    },
    {
      case: 'an unknown AWS_PROFILE, named',
      argv: ['release', 'web', '--region', 'eu-west-1'],
      env: { ...NO_AWS, AWS_PROFILE: 'typo' },
      stderr: expect.stringContaining('phoenix release: profile "typo" not found'),
    },
    {
      case: 'connection refused',
      argv: ['plan', '--region', 'eu-west-1', '--endpoint', CLOSED],
      env: { ...NO_AWS, ...CREDENTIALS },
      stderr: `phoenix plan: cannot reach ${CLOSED} (ECONNREFUSED): check the network, --endpoint or AWS_ENDPOINT_URL`,
    },
    {
      case: 'connection refused at AWS_ENDPOINT_URL',
      argv: ['plan'],
      env: { ...NO_AWS, ...CREDENTIALS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: CLOSED },
      stderr: `phoenix plan: cannot reach ${CLOSED} (ECONNREFUSED): check the network, --endpoint or AWS_ENDPOINT_URL`,
    },
  ])('$case', async ({ argv, env, stderr }) => {
    const result = await cli(argv, env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toEqual(stderr);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('--debug adds the stack after the same line', async () => {
    const result = await cli(['plan', '--debug'], NO_AWS);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('phoenix plan: no AWS region: pass --region or set AWS_REGION');
    expect(result.stderr).toMatch(STACK_LINE);
  });
});

describe('failureLine', () => {
  const named = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name }, extra);
  it.each([
    {
      case: 'expired credentials',
      error: named('ExpiredTokenException', 'The security token included in the request is expired'),
      line: 'the AWS credentials have expired (ExpiredTokenException): renew them (for SSO: aws sso login)',
    },
    {
      case: 'credentials AWS does not know',
      error: named('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      line: 'AWS rejected the credentials (UnrecognizedClientException: The security token included in the request is invalid.): check --profile or the AWS_* variables',
    },
    {
      case: 'a denied call',
      error: named('AccessDeniedException', 'not authorized to perform: dynamodb:Query'),
      line: 'AWS denied the request (AccessDeniedException): not authorized to perform: dynamodb:Query',
    },
    {
      case: 'a refused dual-stack connection',
      error: new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5000'), { code: 'ECONNREFUSED' })], ''),
      line: 'cannot reach the AWS endpoint (ECONNREFUSED): check the network',
    },
    {
      case: 'an unknown host',
      error: named('Error', 'getaddrinfo ENOTFOUND dynamodb.xx-east-9.amazonaws.com', { code: 'ENOTFOUND' }),
      line: 'cannot reach the AWS endpoint (ENOTFOUND): check the network',
    },
    {
      case: 'anything else, first line only',
      error: named('ThrottlingException', 'Rate exceeded\nmore'),
      line: 'ThrottlingException: Rate exceeded (--debug prints the stack)',
    },
  ])('$case', ({ error, line }) => {
    expect(failureLine(error, { profile: undefined, endpoint: undefined })).toBe(line);
  });
});
