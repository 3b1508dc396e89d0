import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifierPort } from '../core/ports.js';

/** SNS takes at most 256 KB per message; e-mail readers need far less. */
export const MAX_MESSAGE_BYTES = 200 * 1024;
/** SNS subjects: at most 100 characters, printable ASCII, no line breaks. */
const MAX_SUBJECT_CHARACTERS = 100;

export interface SnsNotifierOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
}

export class SnsNotifier implements NotifierPort {
  constructor(private readonly options: SnsNotifierOptions) {}

  async notify(subject: string, message: string, attributes: Readonly<Record<string, string>> = {}): Promise<void> {
    const MessageAttributes = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
    await this.options.client.send(
      new PublishCommand({ TopicArn: this.options.topicArn, Subject: snsSubject(subject), Message: clipMessage(message), MessageAttributes }),
    );
  }
}

export function snsSubject(subject: string): string {
  const printable = subject
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return printable.length <= MAX_SUBJECT_CHARACTERS ? printable : `${printable.slice(0, MAX_SUBJECT_CHARACTERS - 3)}...`;
}

/** Cuts an oversized message at a line, and says so: the full report is behind the link at the top. */
export function clipMessage(message: string): string {
  if (Buffer.byteLength(message) <= MAX_MESSAGE_BYTES) return message;
  const note = '\n\n(cut here: the message reached the SNS size limit; the full report is linked above)';
  let cut = message.slice(0, MAX_MESSAGE_BYTES - Buffer.byteLength(note));
  while (Buffer.byteLength(cut) > MAX_MESSAGE_BYTES - Buffer.byteLength(note)) cut = cut.slice(0, -1024);
  const lastLine = cut.lastIndexOf('\n');
  return `${lastLine > 0 ? cut.slice(0, lastLine) : cut}${note}`;
}
