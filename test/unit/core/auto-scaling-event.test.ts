import { describe, expect, it } from 'vitest';
import { AUTO_SCALING_EVENT_RECEIVED, readReceivedLine, receivedAutoScalingEvent } from '../../../functions/core/auto-scaling-event.js';

/** An Auto Scaling event as EventBridge delivers it to the verifier. */
const TERMINATED = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Terminate Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2026-11-23T12:03:05Z',
  region: 'eu-west-1',
  resources: ['arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x:autoScalingGroupName/web'],
  detail: { StatusCode: 'InProgress', AutoScalingGroupName: 'web', ActivityId: 'a1', EC2InstanceId: 'i-0123456789abcdef0', Cause: 'terminated' },
};

describe('the line the verifier logs for each Auto Scaling event', () => {
  it('names the detail-type, the group, the instance, the event id and its time', () => {
    expect(receivedAutoScalingEvent(TERMINATED)).toEqual({
      detailType: 'EC2 Instance Terminate Successful',
      group: 'web',
      instanceId: 'i-0123456789abcdef0',
      eventId: '3e3c153a-8339-4e30-8c35-687ebef853fe',
      eventTime: '2026-11-23T12:03:05Z',
    });
  });

  it('is written for a malformed Auto Scaling event too, with what it lacks as null', () => {
    expect(receivedAutoScalingEvent({ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', detail: 'x' })).toEqual({
      detailType: 'EC2 Instance Launch Successful',
      group: null,
      instanceId: null,
      eventId: null,
      eventTime: null,
    });
  });

  it.each([
    { case: 'the schedule', event: { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-23T12:00:00Z' } },
    { case: 'not an object', event: 'x' },
  ])('is not written for $case', ({ event }) => {
    expect(receivedAutoScalingEvent(event)).toBeUndefined();
  });

  it('reads back as written, as a JSON log line carries it beside the logger own keys', () => {
    const written = receivedAutoScalingEvent(TERMINATED);
    const line = { level: 'INFO', message: AUTO_SCALING_EVENT_RECEIVED, service: 'phoenix', timestamp: '2026-11-23T12:03:07.120Z', ...written };
    expect(readReceivedLine(JSON.parse(JSON.stringify(line)))).toEqual(written);
  });

  it.each([
    { case: 'another message', line: { message: 'tick', group: 'web' } },
    { case: 'not an object', line: ['auto scaling event received'] },
  ])('reads nothing from $case', ({ line }) => {
    expect(readReceivedLine(line)).toBeUndefined();
  });
});
