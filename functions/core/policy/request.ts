import { fieldTime, tagFields } from '../taint/taint.js';

/**
 * `phoenix:recycle-requested` holds `at=<ISO time>;by=<who asked>`: a person asked that the instance be
 * replaced first, at the next tick that may act on its group.
 */
export interface RecycleRequest {
  readonly at: number;
  readonly by: string;
}

export function formatRequest(request: RecycleRequest): string {
  return `at=${new Date(request.at).toISOString()};by=${request.by}`;
}

/** Undefined when the value has no readable `at=` time: the instance is then not a requested candidate. */
export function parseRequest(value: string): RecycleRequest | undefined {
  const fields = tagFields(value);
  const at = fieldTime(fields);
  return at === undefined ? undefined : { at, by: fields.get('by') ?? 'unknown' };
}
