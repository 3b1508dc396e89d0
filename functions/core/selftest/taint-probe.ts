import { TAG } from '../policy/policy.js';
import { INSTANCE_ID } from '../taint/touch.js';
import { eventProblem, SELFTEST_KEY, type SelftestEventProblem, selftestBody } from './request.js';

/**
 * A taint probe asks the tainter, invoked directly by `phoenix selftest`, to write the tag it writes on a
 * touched instance (`phoenix:tainted`) on one standalone instance the self-test launched outside any
 * group. The tainter's role may tag only instances that Auto Scaling launched, so AWS must refuse the
 * write: that proves the role's condition holds in the account even if the code were wrong. The probe is
 * honoured only for an instance tagged `phoenix:selftest=true` that carries no Auto Scaling group tag,
 * so it can never taint an instance of any group.
 */
export const TAINT_PROBE_ACTION = 'taint-probe';

/** The tag Auto Scaling writes on every instance it launches, naming the group; users cannot write `aws:` tags. */
export const AUTO_SCALING_GROUP_TAG = 'aws:autoscaling:groupName';

export interface TaintProbeRequest {
  readonly action: typeof TAINT_PROBE_ACTION;
  readonly instance: string;
}

export type TaintProbeParse = { readonly ok: true; readonly request: TaintProbeRequest } | { readonly ok: false; readonly problem: SelftestEventProblem };

const EXAMPLE = `{"${SELFTEST_KEY}": {"action": "${TAINT_PROBE_ACTION}", "instance": "i-0123456789abcdef0"}}`;

/** Reads a taint probe exactly: any other key or action, or an instance that is not an EC2 instance id, is a problem named by its field. */
export function parseTaintProbeEvent(event: unknown): TaintProbeParse {
  const fail = (field: string, value: unknown, expected: string): TaintProbeParse => ({ ok: false, problem: eventProblem(field, value, expected) });
  const body = selftestBody(event, ['action', 'instance'], EXAMPLE);
  if (!body.ok) return body;
  const { fields } = body;
  if (fields['action'] !== TAINT_PROBE_ACTION)
    return fail(`event.${SELFTEST_KEY}.action`, fields['action'], `"${TAINT_PROBE_ACTION}", the tainter's only self-test`);
  const instance = fields['instance'];
  if (typeof instance !== 'string' || !INSTANCE_ID.test(instance))
    return fail(`event.${SELFTEST_KEY}.instance`, instance, 'the id of the standalone instance phoenix selftest launched, such as i-0123456789abcdef0');
  return { ok: true, request: { action: TAINT_PROBE_ACTION, instance } };
}

export type TaintProbeAdmission = { readonly admitted: true } | { readonly admitted: false; readonly why: string };

/** Whether the probe may try its write on the instance, given the instance's own tags as read now (undefined: EC2 does not know it). */
export function admitTaintProbe(request: TaintProbeRequest, tags: Readonly<Record<string, string>> | undefined): TaintProbeAdmission {
  const { instance } = request;
  if (tags === undefined) return { admitted: false, why: `no instance ${instance} in this account and region` };
  const mark = tags[TAG.selftest];
  if (mark !== 'true') {
    const found = mark === undefined ? 'it has no such tag' : `it has ${TAG.selftest}=${JSON.stringify(mark)}`;
    return {
      admitted: false,
      why: `instance ${instance} is not a self-test instance: a taint probe acts only on an instance tagged ${TAG.selftest}=true, which phoenix selftest launches (${found})`,
    };
  }
  const group = tags[AUTO_SCALING_GROUP_TAG];
  if (group !== undefined)
    return {
      admitted: false,
      why: `instance ${instance} belongs to Auto Scaling group ${group}: a taint probe is made only on an instance outside any group, where the role's policy must refuse it`,
    };
  return { admitted: true };
}
