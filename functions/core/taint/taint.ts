import type { Millis } from '../model.js';

/** How a person reached the instance, as the taint function records it. */
export type TouchKind = 'ssm-session' | 'ssm-command' | 'ec2-instance-connect';

export interface Taint {
  readonly at: Millis;
  readonly by: string;
  readonly via: string;
}

/**
 * `phoenix:tainted` holds `at=<ISO time>;by=<principal>;via=<touch kind>`: one tag, so a later touch
 * overwrites the time and the grace period restarts.
 */
export function formatTaint(taint: Taint): string {
  return `at=${new Date(taint.at).toISOString()};by=${taint.by};via=${taint.via}`;
}

/** Undefined when the value has no readable `at=` time: the instance is then not a taint candidate. */
export function parseTaint(value: string): Taint | undefined {
  const fields = tagFields(value);
  const at = fieldTime(fields);
  if (at === undefined) return undefined;
  return { at, by: fields.get('by') ?? 'unknown', via: fields.get('via') ?? 'unknown' };
}

/** `key=value;key=value` as a map (a later key wins), as instance tags written by Phoenix hold them. */
export function tagFields(value: string): ReadonlyMap<string, string> {
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  return fields;
}

/** The `at=` time of such a tag, or undefined when it is missing or unreadable. */
export function fieldTime(fields: ReadonlyMap<string, string>): number | undefined {
  const atText = fields.get('at');
  const at = atText === undefined ? Number.NaN : Date.parse(atText);
  return Number.isNaN(at) ? undefined : at;
}
