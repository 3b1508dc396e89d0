import type { Millis } from '../core/model.js';
import type { Logger, TaintProbePort } from '../core/ports.js';
import { admitTaintProbe, parseTaintProbeEvent, type TaintProbeRequest } from '../core/selftest/taint-probe.js';
import { formatTaint } from '../core/taint/taint.js';
import { EventError, errorText, isRefusal } from './errors.js';

export interface TaintProbeDependencies {
  readonly instances: TaintProbePort;
  readonly logger: Logger;
  readonly now: () => Millis;
}

/** A taint probe for an instance it may not touch: the invocation fails having changed nothing. */
export class TaintProbeRefusedError extends Error {
  override readonly name = 'TaintProbeRefusedError';

  constructor(
    readonly request: TaintProbeRequest,
    readonly why: string,
  ) {
    super(`self-test ${request.action} on ${request.instance} refused: ${why}`);
  }
}

/** What the CLI reads back: whether AWS refused the write, and its error. */
export interface TaintProbeAnswer {
  readonly selftest: TaintProbeRequest['action'];
  readonly instance: string;
  readonly refused: boolean;
  readonly error: string | null;
}

/**
 * A taint probe → read the instance's tags → admit it or refuse with the reason → the tainter's own tag
 * write, through the same call a touch makes. Only AWS's refusal is the answer hoped for; a write that
 * went through is answered and logged as an error; any other failure fails the invocation.
 */
export async function runTaintProbe(deps: TaintProbeDependencies, event: unknown): Promise<TaintProbeAnswer> {
  const parsed = parseTaintProbeEvent(event);
  if (!parsed.ok) throw new EventError(parsed.problem.field, parsed.problem.value, parsed.problem.expected);
  const { request } = parsed;
  const admission = admitTaintProbe(request, await deps.instances.instanceTags(request.instance));
  if (!admission.admitted) {
    deps.logger.warn('self-test refused', { action: request.action, instance: request.instance, why: admission.why });
    throw new TaintProbeRefusedError(request, admission.why);
  }
  deps.logger.info('self-test', { action: request.action, instance: request.instance });
  let written: readonly string[];
  try {
    written = await deps.instances.tagTainted([request.instance], formatTaint({ at: deps.now(), by: 'phoenix selftest', via: 'selftest' }));
  } catch (error) {
    if (!isRefusal(error)) throw error;
    deps.logger.info('self-test taint probe refused, as it must be', { instance: request.instance, error: errorText(error) });
    return { selftest: request.action, instance: request.instance, refused: true, error: errorText(error) };
  }
  if (written.length === 0) throw new Error(`instance ${request.instance} was gone before the taint probe's write: nothing was proven`);
  deps.logger.error('self-test taint probe went through: the role may tag an instance outside any group', { instance: request.instance });
  return { selftest: request.action, instance: request.instance, refused: false, error: null };
}
