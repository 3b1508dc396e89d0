import type { Millis } from '../../core/model.js';
import { MINUTE } from '../../core/model.js';
import { secondsBetween } from './checklist.js';
import type { ReceivedEventLine } from './ports.js';
import type { StepContext, StepOutcome } from './steps.js';
import { failed, passed, wait } from './steps.js';
import type { Patience } from './watch.js';

/**
 * EventBridge hands Auto Scaling's events to the verifier within seconds, and its log lines are searchable
 * soon after; the terminate event comes once the old instance has gone through its lifecycle hooks.
 */
const DELIVERY_WAIT: Patience = { timeout: 10 * MINUTE, interval: MINUTE / 6 };

interface Expected {
  readonly detailType: string;
  readonly instanceId: string;
}

/** When the verifier got the event, and how long after Auto Scaling's activity (the event's own time). */
function delivered(line: ReceivedEventLine, verifier: string): string {
  const happened = line.eventTime === null ? Number.NaN : Date.parse(line.eventTime);
  const delay = Number.isNaN(happened)
    ? "the event carried no time of Auto Scaling's activity"
    : `${secondsBetween(happened, line.receivedAt)}s after Auto Scaling's activity at ${line.eventTime}`;
  return `${line.detailType} for ${line.instanceId}: event ${line.eventId ?? '(no id)'} received by ${verifier} at ${new Date(line.receivedAt).toISOString()}, ${delay}`;
}

/**
 * Auto Scaling's events about this replacement reached the deployed verifier, as its own log lines say:
 * the old instance's termination and the extra instance's launch. Read directly, not inferred from the
 * verified record, which the verifier's schedule could have verified without any event.
 */
export async function eventsReachedVerifier(context: StepContext, since: Millis, oldInstance: string, extraInstance: string): Promise<StepOutcome> {
  const logs = context.ports.verifierLogs;
  const { subject } = context.names;
  const expected: readonly Expected[] = [
    { detailType: 'EC2 Instance Terminate Successful', instanceId: oldInstance },
    { detailType: 'EC2 Instance Launch Successful', instanceId: extraInstance },
  ];
  let seen: readonly ReceivedEventLine[] | undefined;
  const match = (want: Expected): ReceivedEventLine | undefined =>
    seen?.find((line) => line.group === subject && line.detailType === want.detailType && line.instanceId === want.instanceId);
  const found = await wait(context, DELIVERY_WAIT, async () => {
    seen = await logs.receivedEvents(since);
    const lines = expected.map(match);
    return lines.every((line) => line !== undefined) ? (lines as ReceivedEventLine[]) : undefined;
  });
  if (found !== undefined) return passed(found.map((line) => delivered(line, logs.functionName)).join('; '));
  if (seen === undefined) return failed(`${logs.logGroup} does not exist: ${logs.functionName} has never run, so no event of Auto Scaling reached it`);
  const missing = expected.filter((want) => match(want) === undefined).map((want) => `${want.detailType} for ${want.instanceId}`);
  const got = seen.filter((line) => line.group === subject).map((line) => `${line.detailType} for ${line.instanceId ?? '(no instance)'}`);
  return failed(
    `no ${missing.join(' and no ')} in ${logs.logGroup} within ${DELIVERY_WAIT.timeout / MINUTE} minutes: Auto Scaling's events did not reach ${logs.functionName} (its EventBridge rule for aws.autoscaling); it logged ${got.length === 0 ? `none for ${subject}` : got.join(', ')}`,
  );
}
