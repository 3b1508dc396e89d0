import { main } from '../../functions/cli/phoenix.js';
import { NOW } from './clock.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A line of a JavaScript stack trace: what no failure may print without --debug. */
export const STACK_LINE = /^\s+at /m;

/** Runs one invocation in-process, with `env` applied to process.env for its duration (unset: undefined). */
export async function cli(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, now = NOW): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) }, now);
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    process.env = saved;
  }
}

/** No AWS configuration at all: no files, no variables, no instance metadata (nothing leaves the machine). */
export const NO_AWS: Readonly<Record<string, string | undefined>> = {
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONFIG_FILE: '/nonexistent/phoenix-test/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/phoenix-test/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Dummy keys, for SDK clients that are mocked or pointed at a local endpoint. */
export const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' } as const;
