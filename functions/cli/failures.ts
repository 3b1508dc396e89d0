import { DeploymentError, LedgerNotFoundError, LedgerTableMissingError } from './errors.js';

/** What a failure is blamed on: the options and variables the user can change. */
export interface FailureContext {
  /** --profile, or AWS_PROFILE. */
  readonly profile: string | undefined;
  /** --endpoint, or AWS_ENDPOINT_URL. */
  readonly endpoint: string | undefined;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const REJECTED_CREDENTIALS = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'AuthFailure']);
const EXPIRED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);

function errorCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node reports a refused dual-stack connection as an AggregateError whose parts carry the code.
  if (error instanceof AggregateError) return error.errors.map((part) => (part instanceof Error ? errorCode(part) : undefined)).find(Boolean);
  return undefined;
}

/**
 * The one line a failure prints without --debug: its cause and the fix, in the user's terms (the
 * option or variable to set), never the SDK's call stack.
 */
export function failureLine(error: unknown, context: FailureContext): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof LedgerTableMissingError || error instanceof LedgerNotFoundError || error instanceof DeploymentError) return error.message;
  const code = errorCode(error);
  if (error.message === 'Region is missing') return 'no AWS region: pass --region or set AWS_REGION';
  if (error.name === 'CredentialsProviderError') {
    if (context.profile !== undefined) {
      return `profile "${context.profile}" not found or without credentials in ~/.aws/config and ~/.aws/credentials: check --profile or AWS_PROFILE (aws configure list-profiles)`;
    }
    return 'no AWS credentials: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    const where = context.endpoint ?? 'the AWS endpoint';
    return `cannot reach ${where} (${code}): check the network${context.endpoint === undefined ? '' : ', --endpoint or AWS_ENDPOINT_URL'}`;
  }
  if (EXPIRED_CREDENTIALS.has(error.name)) return `the AWS credentials have expired (${error.name}): renew them (for SSO: aws sso login)`;
  if (REJECTED_CREDENTIALS.has(error.name)) return `AWS rejected the credentials (${error.name}: ${error.message}): check --profile or the AWS_* variables`;
  if (/AccessDenied|UnauthorizedOperation/.test(error.name)) return `AWS denied the request (${error.name}): ${error.message}`;
  return `${error.name}: ${error.message.split('\n')[0] ?? ''} (--debug prints the stack)`;
}
