import type { Group } from '../model.js';
import { TAG } from '../policy/policy.js';

/**
 * A self-test event asks the recycler, invoked directly by `phoenix selftest`, for one of two things on
 * one named group:
 * - `recycle`: a tick of that group alone, now, through every gate a scheduled tick applies (mode,
 *   blackout, stop alarms, opt-in, window, budget, stability, quarantine);
 * - `iam-probe`: the call a replacement starts with (SetDesiredCapacity) on a group that is not opted in,
 *   at the capacity it has, so that it would change nothing even if it went through: the role's policy
 *   must refuse it, which proves that IAM holds in the account even if the code were wrong.
 * Either is honoured only for a group tagged `phoenix:selftest=true`. The tainter takes a self-test event
 * of its own under the same key (taint-probe.ts).
 */
export const SELFTEST_KEY = 'selftest';
export const SELFTEST_ACTIONS = ['recycle', 'iam-probe'] as const;
export type SelftestAction = (typeof SELFTEST_ACTIONS)[number];

export interface SelftestRequest {
  readonly action: SelftestAction;
  readonly group: string;
}

/** What is wrong with an event's field: its path, the value found and what was expected. */
export interface SelftestEventProblem {
  readonly field: string;
  readonly value: string | undefined;
  readonly expected: string;
}

export type SelftestParse = { readonly ok: true; readonly request: SelftestRequest } | { readonly ok: false; readonly problem: SelftestEventProblem };

const EXAMPLE = `{"${SELFTEST_KEY}": {"action": "recycle", "group": "NAME"}}`;

/** An event carrying the self-test key, whatever else it holds: no EventBridge event has one. */
export function isSelftestEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && Object.hasOwn(event, SELFTEST_KEY);
}

const shown = (value: unknown): string | undefined => (value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value));

/** A field of a self-test event that is wrong, as the parse reports it. */
export const eventProblem = (field: string, value: unknown, expected: string): SelftestEventProblem => ({ field, value: shown(value), expected });

export type SelftestBody =
  | { readonly ok: true; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problem: SelftestEventProblem };

/**
 * The body of a self-test event, read exactly: an object under the self-test key and nothing beside it,
 * holding no field but the named ones. `example` shows what is expected when the event is not one.
 */
export function selftestBody(event: unknown, keys: readonly string[], example: string): SelftestBody {
  const fail = (field: string, value: unknown, expected: string): SelftestBody => ({ ok: false, problem: eventProblem(field, value, expected) });
  if (typeof event !== 'object' || event === null) return fail('event', event, `a self-test event such as ${example}`);
  const extra = Object.keys(event).filter((key) => key !== SELFTEST_KEY);
  if (extra.length > 0)
    return fail(`event.${extra[0] as string}`, (event as Record<string, unknown>)[extra[0] as string], `no other key beside "${SELFTEST_KEY}"`);
  const body = (event as Record<string, unknown>)[SELFTEST_KEY];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(`event.${SELFTEST_KEY}`, body, `an object such as ${example}`);
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !keys.includes(key));
  if (unknown !== undefined) return fail(`event.${SELFTEST_KEY}.${unknown}`, fields[unknown], `only ${keys.map((key) => `"${key}"`).join(' and ')}`);
  return { ok: true, fields };
}

/** Reads a self-test event exactly: any other key, action or a missing group is a problem named by its field. */
export function parseSelftestEvent(event: unknown): SelftestParse {
  const fail = (field: string, value: unknown, expected: string): SelftestParse => ({ ok: false, problem: eventProblem(field, value, expected) });
  const body = selftestBody(event, ['action', 'group'], EXAMPLE);
  if (!body.ok) return body;
  const { fields } = body;
  const action = SELFTEST_ACTIONS.find((known) => known === fields['action']);
  if (action === undefined) return fail(`event.${SELFTEST_KEY}.action`, fields['action'], `one of ${SELFTEST_ACTIONS.join(', ')}`);
  const group = fields['group'];
  if (typeof group !== 'string' || group.trim() === '' || group !== group.trim())
    return fail(`event.${SELFTEST_KEY}.group`, group, 'the exact name of an Auto Scaling group that phoenix selftest made');
  return { ok: true, request: { action, group } };
}

export type SelftestAdmission = { readonly admitted: true; readonly group: Group } | { readonly admitted: false; readonly why: string };

/**
 * Whether a self-test request may touch the group as read now. A recycle needs the group's opt-in tag, and
 * its value then meets the gates like any tick's; a probe needs a group the role's tag condition must
 * refuse, one without `phoenix:enabled` at all.
 */
export function admitSelftest(request: SelftestRequest, group: Group | undefined): SelftestAdmission {
  const { action, group: name } = request;
  if (group === undefined) return { admitted: false, why: `no Auto Scaling group named "${name}" in this account and region` };
  const mark = group.tags[TAG.selftest];
  if (mark !== 'true') {
    const found = mark === undefined ? 'it has no such tag' : `it has ${TAG.selftest}=${JSON.stringify(mark)}`;
    return {
      admitted: false,
      why: `group ${name} is not a self-test group: a self-test event acts only on groups tagged ${TAG.selftest}=true, which phoenix selftest makes (${found})`,
    };
  }
  const enabled = group.tags[TAG.enabled];
  if (action === 'recycle' && enabled === undefined)
    return { admitted: false, why: `group ${name} is not opted in (no ${TAG.enabled} tag): a self-test recycle goes through the opt-in like any tick` };
  if (action === 'iam-probe' && enabled !== undefined)
    return {
      admitted: false,
      why: `group ${name} has ${TAG.enabled}=${JSON.stringify(enabled)}: an IAM probe is made only on a group without that tag, where the role's policy must refuse it`,
    };
  return { admitted: true, group };
}
