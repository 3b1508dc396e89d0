import type { Millis } from '../core/model.js';
import { admitSelftest, parseSelftestEvent, type SelftestRequest } from '../core/selftest/request.js';
import { EventError, errorText, isRefusal } from './errors.js';
import type { TickDependencies, TickResult, TickSettings } from './tick.js';
import { runTick } from './tick.js';

/** A self-test event for a group it may not touch: the invocation fails having changed nothing. */
export class SelftestRefusedError extends Error {
  override readonly name = 'SelftestRefusedError';

  constructor(
    readonly request: SelftestRequest,
    readonly why: string,
  ) {
    super(`self-test ${request.action} on ${request.group} refused: ${why}`);
  }
}

/** What the CLI reads back: the run's summary and the group's decision, or how AWS answered the probe. */
export type SelftestAnswer = Record<string, unknown>;

/** Runs a tick and returns its summary: the Lambda measures and publishes it, the simulator only summarises. */
export type MeasuredRun = (run: () => Promise<TickResult>) => Promise<Record<string, unknown>>;

async function recycle(deps: TickDependencies, settings: TickSettings, request: SelftestRequest, now: Millis, measure: MeasuredRun): Promise<SelftestAnswer> {
  let result: TickResult | undefined;
  const summary = await measure(async () => {
    result = await runTick(deps, settings, now, { kind: 'selftest', group: request.group });
    return result;
  });
  const decision = result?.decisions.find((each) => each.group === request.group);
  if (decision?.kind === 'start' && decision.dryRun) {
    const why = result?.mode === 'dry-run' ? 'the global mode is dry-run' : 'the group has phoenix:enabled=dry-run';
    return { ...summary, selftest: request.action, group: request.group, decision: 'dry-run', why: `would recycle ${decision.instanceId}, but ${why}` };
  }
  const why = decision === undefined ? result?.block?.why : decision.kind === 'progress' ? `replacement in flight: ${decision.step.kind}` : decision.why;
  return { ...summary, selftest: request.action, group: request.group, decision: decision?.kind ?? 'none', why: why ?? 'the group was not read' };
}

/**
 * The call a replacement starts with, at the capacity the group has: went through, it would change
 * nothing. Only a refusal is the answer hoped for; any other failure fails the invocation.
 */
async function probe(deps: TickDependencies, request: SelftestRequest, desired: number): Promise<SelftestAnswer> {
  try {
    await deps.fleet.setDesiredCapacity(request.group, desired);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    deps.logger.info('self-test IAM probe refused, as it must be', { group: request.group, error: errorText(error) });
    return { selftest: request.action, group: request.group, refused: true, error: errorText(error) };
  }
  deps.logger.error('self-test IAM probe went through: the role may change a group that is not opted in', { group: request.group });
  return { selftest: request.action, group: request.group, refused: false, error: null };
}

/** A self-test event → read the named group → admit it or refuse with the reason → a one-group tick, or the IAM probe. */
export async function runSelftest(deps: TickDependencies, settings: TickSettings, event: unknown, now: Millis, measure: MeasuredRun): Promise<SelftestAnswer> {
  const parsed = parseSelftestEvent(event);
  if (!parsed.ok) throw new EventError(parsed.problem.field, parsed.problem.value, parsed.problem.expected);
  const { request } = parsed;
  const group = (await deps.fleet.describeGroups([request.group])).get(request.group);
  const admission = admitSelftest(request, group);
  if (!admission.admitted) {
    deps.logger.warn('self-test refused', { action: request.action, group: request.group, why: admission.why });
    throw new SelftestRefusedError(request, admission.why);
  }
  deps.logger.info('self-test', { action: request.action, group: request.group });
  return request.action === 'recycle' ? recycle(deps, settings, request, now, measure) : probe(deps, request, admission.group.desired);
}
