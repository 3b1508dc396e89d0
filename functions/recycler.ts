import middy from '@middy/core';
import { parseRecyclerConfig, runTime } from './app/config.js';
import { runTick } from './app/tick.js';
import { finishRun, tickDependencies } from './app/tick-dependencies.js';

// Cold start: a bad deploy parameter stops the function here, naming the variable; clients are made once.
const config = parseRecyclerConfig(process.env);
const deps = tickDependencies(config, 'recycler');

/** Scheduled event → one tick at the event's time (or now, when it arrives late): load, plan, act, record. */
export const handler = middy(async (event: unknown) => finishRun(deps, await runTick(deps, config.tick, runTime(event, Date.now(), deps.logger))));
