import type { ClientOptions } from '../adapters/aws-config.js';
import { type OptionValues, textOption } from './arguments.js';
import { UsageError } from './errors.js';

/** --region, --profile and --endpoint, as every command that talks to AWS takes them. */
export const AWS_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

export function awsOptions(values: OptionValues): ClientOptions {
  const endpoint = textOption(values, 'endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new UsageError(`--endpoint: "${endpoint}" is not valid: expected a URL such as http://127.0.0.1:5000`);
  }
  const profile = textOption(values, 'profile');
  // The SDK's default credential chain reads the profile from the environment.
  if (profile !== undefined) process.env['AWS_PROFILE'] = profile;
  const region = textOption(values, 'region');
  return { ...(region === undefined ? {} : { region }), ...(endpoint === undefined ? {} : { endpoint }) };
}
