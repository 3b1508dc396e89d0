import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { parseRecyclerConfig, runTime } from './app/config.js';
import { runTick } from './app/tick.js';
import { measuredRun, tickDependencies } from './app/tick-dependencies.js';

// Cold start: a bad deploy parameter stops the function here, naming the variable; clients are made once.
const config = parseRecyclerConfig(process.env);
const deps = tickDependencies(config, 'recycler');

/** Scheduled event → one tick at the event's time (or now, when it arrives late): load, plan, act, record, measure. */
export const handler = middy(async (event: unknown) => measuredRun(deps, () => runTick(deps, config.tick, runTime(event, Date.now(), deps.logger))))
  .use(injectLambdaContext(deps.powertools.logger))
  .use(logMetrics(deps.powertools.metrics));
