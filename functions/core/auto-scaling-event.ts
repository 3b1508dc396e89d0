import type { Fields } from './event-fields.js';
import { isFields } from './event-fields.js';

/**
 * The verifier logs one line for each Auto Scaling event it receives, whatever it then does with it:
 * `phoenix selftest` reads these lines as direct proof that Auto Scaling's events reach the verifier.
 * The message and the field names are the contract between the two.
 */
export const AUTO_SCALING_EVENT_RECEIVED = 'auto scaling event received';

/** What the line says about one event; null where the event did not carry the field. */
export interface ReceivedAutoScalingEvent {
  readonly detailType: string | null;
  readonly group: string | null;
  /** detail.EC2InstanceId: the instance launched or terminated. */
  readonly instanceId: string | null;
  /** The EventBridge event's id. */
  readonly eventId: string | null;
  /** The EventBridge event's time: when Auto Scaling's activity happened. */
  readonly eventTime: string | null;
}

const fieldsOf = (value: unknown): Fields => (isFields(value) ? value : {});
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The line's fields for an event from Auto Scaling; undefined for any other event (the schedule's). */
export function receivedAutoScalingEvent(event: unknown): ReceivedAutoScalingEvent | undefined {
  const fields = fieldsOf(event);
  if (fields['source'] !== 'aws.autoscaling') return undefined;
  const detail = fieldsOf(fields['detail']);
  return {
    detailType: text(fields['detail-type']),
    group: text(detail['AutoScalingGroupName']),
    instanceId: text(detail['EC2InstanceId']),
    eventId: text(fields['id']),
    eventTime: text(fields['time']),
  };
}

/** One such line as read back (a JSON log line, parsed); undefined for any other line. */
export function readReceivedLine(line: unknown): ReceivedAutoScalingEvent | undefined {
  const fields = fieldsOf(line);
  if (fields['message'] !== AUTO_SCALING_EVENT_RECEIVED) return undefined;
  return {
    detailType: text(fields['detailType']),
    group: text(fields['group']),
    instanceId: text(fields['instanceId']),
    eventId: text(fields['eventId']),
    eventTime: text(fields['eventTime']),
  };
}
