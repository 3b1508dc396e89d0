import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { clientConfig } from './aws-config.js';

/** Who runs the command, as AWS names the credentials: what a release or a request records as its author. */
export async function callerArn(config: ReturnType<typeof clientConfig>): Promise<string> {
  const caller = await new STSClient(config).send(new GetCallerIdentityCommand({}));
  return caller.Arn ?? 'unknown caller';
}
