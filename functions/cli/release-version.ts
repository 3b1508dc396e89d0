import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ClientOptions, clientConfig } from '../adapters/aws-config.js';
import { callerArn } from '../adapters/caller.js';
import { DynamoLedger } from '../adapters/ledger.js';
import type { Millis } from '../core/model.js';
import { UsageError } from './errors.js';

/** A template version as the breaker names it (`lt-0abc:7`), a launch configuration (`lc:NAME`), or an AMI. */
const VERSION = /^(lt-[0-9a-f]{1,17}:[1-9]\d*|lc:[\x21-\x7e][\x20-\x7e]{0,254})$/;
const AMI = /^ami-[0-9a-f]{8,17}$/;

/** What --version or --ami names, checked before anything is read. */
export function versionKey(option: 'version' | 'ami', value: string): string {
  if (option === 'version' && !VERSION.test(value)) {
    throw new UsageError(
      `--version: "${value}" is not valid: expected a launch template id and version such as lt-0abc123:7, or lc:NAME for a launch configuration`,
    );
  }
  if (option === 'ami' && !AMI.test(value)) throw new UsageError(`--ami: "${value}" is not valid: expected an AMI id such as ami-0abc1234def567890`);
  return value;
}

export interface VersionReleaseResult {
  readonly version: string;
  readonly released: boolean;
  readonly blockedAt: string | null;
  readonly why: string | null;
  readonly releasedBy: string;
}

/**
 * Lifts a version's block in the ledger with the caller's own credentials, who is named as having done
 * it; the next tick announces it (`Version Released`) and groups launching it go on from then.
 */
export async function releaseVersion(
  key: string,
  options: { readonly aws: ClientOptions; readonly table: string; readonly now: Millis },
): Promise<VersionReleaseResult> {
  const config = clientConfig(options.aws);
  const releasedBy = await callerArn(config);
  const ledger = new DynamoLedger({ client: new DynamoDBClient(config), tableName: options.table, clock: () => options.now });
  const lifted = await ledger.releaseVersion(key, options.now, releasedBy);
  return {
    version: key,
    released: lifted !== undefined,
    blockedAt: lifted === undefined ? null : new Date(lifted.blockedAt).toISOString(),
    why: lifted?.why ?? null,
    releasedBy,
  };
}
