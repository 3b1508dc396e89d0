import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { parseRecyclerConfig, runTime, tickScope } from './app/config.js';
import { runSelftest } from './app/selftest.js';
import { runTick } from './app/tick.js';
import { measuredRun, tickDependencies } from './app/tick-dependencies.js';
import { isSelftestEvent } from './core/selftest/request.js';

// Cold start: a bad deploy parameter stops the function here, naming the variable; clients are made once.
const config = parseRecyclerConfig(process.env);
const deps = tickDependencies(config, 'recycler');

/**
 * Scheduled event → one tick at the event's time (or now, when it arrives late): load, plan, act, record, measure;
 * a second delivery of the same event sends no advance notice again.
 * `phoenix selftest`'s direct invocation → the same tick for one self-test group, or its IAM probe.
 */
export const handler = middy(async (event: unknown) =>
  isSelftestEvent(event)
    ? runSelftest(deps, config.tick, event, Date.now(), (run) => measuredRun(deps, run))
    : measuredRun(deps, () => {
        const now = Date.now();
        return runTick(deps, config.tick, runTime(event, now, deps.logger), tickScope(event, now));
      }),
)
  .use(injectLambdaContext(deps.powertools.logger))
  .use(logMetrics(deps.powertools.metrics));
