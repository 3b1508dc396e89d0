import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportStorePort, StoredReport } from '../core/ports.js';

export interface S3ReportStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** For the console link; the client's own region is only known asynchronously. */
  readonly region: string;
}

/** Reports in the private report bucket (infra/reports.yml), encrypted by the bucket's default. */
export class S3ReportStore implements ReportStorePort {
  constructor(private readonly options: S3ReportStoreOptions) {}

  async put(key: string, body: string, contentType: string): Promise<StoredReport> {
    const { client, bucket, region } = this.options;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return {
      uri: `s3://${bucket}/${key}`,
      consoleUrl: `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&prefix=${encodeURIComponent(key)}`,
    };
  }
}
