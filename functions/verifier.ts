import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { parseRecyclerConfig, runTime, verifierScope } from './app/config.js';
import { noteSnoozeSetters } from './app/snooze-setter.js';
import { runTick } from './app/tick.js';
import { measuredRun, tickDependencies } from './app/tick-dependencies.js';
import { AUTO_SCALING_EVENT_RECEIVED, receivedAutoScalingEvent } from './core/auto-scaling-event.js';
import { isAutoScalingApiCall } from './core/policy/snooze-setter.js';

const config = parseRecyclerConfig(process.env);
const deps = tickDependencies(config, 'verifier');

/** CloudTrail's record of a snooze tag write → who set the snooze, onto its ledger item; it moves no replacement and has no run metrics. */
const noteSetters = middy(async (event: unknown) => noteSnoozeSetters({ setters: deps.snoozeSetters, logger: deps.logger, now: () => Date.now() }, event)).use(
  injectLambdaContext(deps.powertools.logger),
);

/**
 * An Auto Scaling launch/terminate event (one group, within a minute of the change) or the schedule
 * (every group with an open replacement, for deadlines that pass silently) → move replacements on:
 * verify, finish a surge, or fail and quarantine. Never starts a replacement.
 */
const moveOn = middy(async (event: unknown) => {
  // Each Auto Scaling event gets its line first, whatever follows: phoenix selftest reads it as proof of delivery.
  const received = receivedAutoScalingEvent(event);
  if (received !== undefined) deps.logger.info(AUTO_SCALING_EVENT_RECEIVED, { ...received });
  const groups = verifierScope(event);
  return measuredRun(deps, () => runTick(deps, config.tick, runTime(event, Date.now(), deps.logger), { kind: 'verify', groups }));
})
  .use(injectLambdaContext(deps.powertools.logger))
  .use(logMetrics(deps.powertools.metrics));

export const handler = (...invocation: Parameters<typeof moveOn>) => (isAutoScalingApiCall(invocation[0]) ? noteSetters(...invocation) : moveOn(...invocation));
