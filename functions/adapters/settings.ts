import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { GlobalMode } from '../core/model.js';
import { parseGlobalMode } from '../core/policy/global-gate.js';
import type { SettingsPort } from '../core/ports.js';
import { ModeParameterError } from './errors.js';

export interface SsmSettingsOptions {
  readonly client: SSMClient;
  readonly parameterName: string;
  /** How long a read value is reused, in seconds: an operator's switch takes effect within this time. */
  readonly cacheSeconds: number;
}

/**
 * The global mode from an SSM parameter, read at run time so an operator flips it without a redeploy.
 * Powertools' provider keeps the value for the cache time; a failed read throws, and the tick then
 * blocks every termination.
 */
export class SsmSettings implements SettingsPort {
  private readonly provider: SSMProvider;

  constructor(private readonly options: SsmSettingsOptions) {
    this.provider = new SSMProvider({ awsSdkV3Client: options.client });
  }

  async globalMode(): Promise<GlobalMode> {
    const value = (await this.provider.get(this.options.parameterName, { maxAge: this.options.cacheSeconds }))?.trim();
    const mode = parseGlobalMode(value);
    if (mode === undefined) throw new ModeParameterError(this.options.parameterName, value);
    return mode;
  }
}
