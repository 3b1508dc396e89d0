/**
 * Errors shaped like the AWS SDK v3's service exceptions (name, $fault, $metadata, $retryable), so the
 * code that classifies real errors handles the simulator's the same way.
 */

/** A request AWS refuses as invalid (HTTP 400): retrying it cannot help. */
export class SimValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 } as const;
}

export type FaultName = 'ThrottlingException' | 'ServiceUnavailable';

/** An injected transient failure, thrown before the call changes anything. */
export class SimServiceError extends Error {
  override readonly name: FaultName;
  readonly retryable = true;
  readonly $retryable: { readonly throttling: boolean };
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(name: FaultName, operation: string) {
    const throttling = name === 'ThrottlingException';
    super(throttling ? `Rate exceeded (${operation})` : `Service unavailable, please try again (${operation})`);
    this.name = name;
    this.$retryable = { throttling };
    this.$fault = throttling ? 'client' : 'server';
    this.$metadata = { httpStatusCode: throttling ? 400 : 503 };
  }
}
