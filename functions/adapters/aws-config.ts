/**
 * Settings every SDK client of Phoenix shares: the SDK's own adaptive retry absorbs throttling (no
 * hand-written retry loops), and the endpoint comes from AWS_ENDPOINT_URL when set (moto in tests,
 * `--endpoint` on the CLI), which the SDK reads itself.
 */
export interface ClientOptions {
  readonly region?: string;
  readonly endpoint?: string;
}

export function clientConfig(options: ClientOptions = {}): { retryMode: 'adaptive'; maxAttempts: number; region?: string; endpoint?: string } {
  return {
    retryMode: 'adaptive',
    maxAttempts: 6,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
}
