import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { GlobalMode, Millis } from '../core/model.js';
import type { SettingsPort } from '../core/ports.js';

const MODES: readonly GlobalMode[] = ['live', 'dry-run', 'off'];

/** The parameter holds a value the functions do not understand: terminations stop until it is fixed. */
export class ModeParameterError extends Error {
  override readonly name = 'ModeParameterError';

  constructor(
    readonly parameter: string,
    readonly value: string | undefined,
  ) {
    super(`SSM parameter ${parameter}=${value === undefined ? '(no value)' : JSON.stringify(value)}: expected ${MODES.join(', ')}`);
  }
}

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
    const mode = MODES.find((candidate) => candidate === value);
    if (mode === undefined) throw new ModeParameterError(this.options.parameterName, value);
    this.cached = { mode, readAt: now };
    return mode;
  }
}
