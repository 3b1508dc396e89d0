import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { clipMessage, MAX_MESSAGE_BYTES, SnsNotifier, snsSubject } from '../../../functions/adapters/notifier.js';
import { S3ReportStore } from '../../../functions/adapters/report-store.js';

const s3Mock = mockClient(S3Client);
const snsMock = mockClient(SNSClient);
afterEach(() => {
  s3Mock.reset();
  snsMock.reset();
});

describe('S3ReportStore', () => {
  it('puts the object with its content type and returns the s3 URI and a console link', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const store = new S3ReportStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'phoenix-reports', region: 'eu-west-1' });
    const stored = await store.put('weekly/2026/phoenix-2026-W47.html', '<!DOCTYPE html>', 'text/html; charset=utf-8');
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'phoenix-reports',
      Key: 'weekly/2026/phoenix-2026-W47.html',
      Body: '<!DOCTYPE html>',
      ContentType: 'text/html; charset=utf-8',
    });
    expect(stored).toEqual({
      uri: 's3://phoenix-reports/weekly/2026/phoenix-2026-W47.html',
      consoleUrl: 'https://eu-west-1.console.aws.amazon.com/s3/object/phoenix-reports?region=eu-west-1&prefix=weekly%2F2026%2Fphoenix-2026-W47.html',
    });
  });

  it('a failed put propagates: the report is not announced as stored', async () => {
    s3Mock.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const store = new S3ReportStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'b', region: 'eu-west-1' });
    await expect(store.put('k', 'body', 'text/plain')).rejects.toThrow('AccessDenied');
  });
});

describe('SnsNotifier', () => {
  it('publishes subject and message to the topic, with the attributes filter policies match', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsNotifier({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:aws:sns:eu-west-1:123456789012:t' }).notify(
      'Phoenix 2026-W47',
      '# report',
      { scope: 'owner', owner: 'payments' },
    );
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      Subject: 'Phoenix 2026-W47',
      Message: '# report',
      MessageAttributes: { scope: { DataType: 'String', StringValue: 'owner' }, owner: { DataType: 'String', StringValue: 'payments' } },
    });
  });

  it('subjects become printable ASCII of at most 100 characters', () => {
    expect(snsSubject('Phoenix\nweekly — report')).toBe('Phoenix weekly report');
    expect(snsSubject('x'.repeat(150))).toHaveLength(100);
  });

  it('an oversized message is cut at a line and says so; a normal one is untouched', () => {
    const line = `${'a'.repeat(99)}\n`;
    const clipped = clipMessage(line.repeat(5_000));
    expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(clipped).toMatch(/a\n\n\(cut here: the message reached the SNS size limit; the full report is linked above\)$/);
    expect(clipMessage('short')).toBe('short');
  });
});
