import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion, never through a shell, with the given variables added to this
 * process's environment, or, with `inheritEnv: false`, with exactly those variables.
 */
export async function run(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  options: { readonly cwd?: string; readonly inheritEnv?: boolean } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const environment = options.inheritEnv === false ? { ...env } : { ...process.env, ...env };
    const child = spawn(command, [...args], { cwd: options.cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Environment that points the SDK at moto with dummy credentials, as a deployed function would see it. */
export function motoEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
