import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { GlobalMode, Millis } from '../core/model.js';
import { parseGlobalMode } from '../core/policy/global-gate.js';
import type { SettingsPort } from '../core/ports.js';
import { ModeParameterError } from './errors.js';

export interface SsmSettingsOptions {
  readonly client: SSMClient;
  readonly parameterName: string;
  readonly clock: () => Millis;
  /** How long a read value is reused: an operator's switch takes effect within this time. */
  readonly cacheFor: Millis;
}

/** The global mode from an SSM parameter, read at run time so an operator flips it without a redeploy. */
export class SsmSettings implements SettingsPort {
  private cached: { readonly mode: GlobalMode; readonly readAt: Millis } | undefined;

  constructor(private readonly options: SsmSettingsOptions) {}

  async globalMode(): Promise<GlobalMode> {
    const now = this.options.clock();
    if (this.cached !== undefined && now - this.cached.readAt < this.options.cacheFor) return this.cached.mode;
    const response = await this.options.client.send(new GetParameterCommand({ Name: this.options.parameterName }));
    const value = response.Parameter?.Value?.trim();
    const mode = parseGlobalMode(value);
    if (mode === undefined) throw new ModeParameterError(this.options.parameterName, value);
    this.cached = { mode, readAt: now };
    return mode;
  }
}
