import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { parseTainterConfig } from './app/config.js';
import { handleTouch } from './app/taint.js';
import { runTaintProbe } from './app/taint-probe.js';
import { tainterDependencies } from './app/tainter-dependencies.js';
import { isSelftestEvent } from './core/selftest/request.js';

// Cold start: the configuration is read and the clients are made once.
const config = parseTainterConfig(process.env);
const deps = tainterDependencies(config);

/**
 * A CloudTrail Session Manager, Run Command or EC2 Instance Connect call → tag the touched instances of opted-in groups.
 * `phoenix selftest`'s direct invocation → its taint probe on the standalone instance it launched.
 */
export const handler = middy(async (event: unknown) => (isSelftestEvent(event) ? runTaintProbe(deps, event) : handleTouch(deps, event))).use(
  injectLambdaContext(deps.powertoolsLogger),
);
