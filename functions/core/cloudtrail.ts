import { isFields, shown } from './event-fields.js';
import type { Millis } from './model.js';

/** EventBridge's detail-type for a CloudTrail record of an API call. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** One successful call as its CloudTrail record tells it; what the call means to the reader rides along. */
export interface CloudTrailCall<Meaning> {
  /** `eventSource/eventName`. */
  readonly call: string;
  readonly meaning: Meaning;
  /** `detail.userIdentity`, for the reader to judge who it was. */
  readonly identity: unknown;
  readonly at: Millis;
  readonly eventId: string;
  readonly request: unknown;
}

/** The calls a reader acts on (by `eventSource/eventName`), and the words for its refusals. */
export interface CallsRead<Meaning> {
  readonly calls: ReadonlyMap<string, Meaning>;
  /** What such a call is, as in "… is not a touch". */
  readonly kind: string;
  /** What a failed one did, as in "a failed call touched nothing". */
  readonly failedMeans: string;
}

/**
 * Reads the parts every CloudTrail record of a call has, or says precisely why the event is not one of
 * the calls: malformed (each field named with what was found and what was expected), another call, or a
 * failed one.
 */
export function readCloudTrailCall<Meaning>(event: unknown, read: CallsRead<Meaning>): CloudTrailCall<Meaning> | { readonly reason: string } {
  if (!isFields(event)) return { reason: `event is ${shown(event)}: expected an EventBridge event object` };
  if (event['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE) {
    return { reason: `event detail-type is ${shown(event['detail-type'])}: expected "${CLOUDTRAIL_DETAIL_TYPE}"` };
  }
  const detail = event['detail'];
  if (!isFields(detail)) return { reason: `event.detail is ${shown(detail)}: expected the CloudTrail record object` };
  const call = `${String(detail['eventSource'])}/${String(detail['eventName'])}`;
  const meaning = read.calls.get(call);
  if (meaning === undefined) {
    const names = [...read.calls.keys()];
    return { reason: `${call} is not ${read.kind}: expected ${names.length === 1 ? names[0] : `one of ${names.join(', ')}`}` };
  }
  const errorCode = detail['errorCode'];
  if (errorCode !== undefined && errorCode !== null) {
    const message = typeof detail['errorMessage'] === 'string' ? ` (${detail['errorMessage']})` : '';
    return { reason: `${call} failed with ${String(errorCode)}${message}: a failed call ${read.failedMeans}` };
  }
  const eventTime = detail['eventTime'];
  const at = typeof eventTime === 'string' ? Date.parse(eventTime) : Number.NaN;
  if (Number.isNaN(at)) return { reason: `detail.eventTime is ${shown(eventTime)}: expected an ISO-8601 time` };
  const eventId = detail['eventID'];
  if (typeof eventId !== 'string' || eventId === '') return { reason: `detail.eventID is ${shown(eventId)}: expected the CloudTrail event id` };
  return { call, meaning, identity: detail['userIdentity'], at, eventId, request: detail['requestParameters'] };
}
