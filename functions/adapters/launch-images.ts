import type { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';

/** DescribeLaunchTemplateVersions takes one template and up to 200 of its versions a call. */
const VERSIONS_PER_CALL = 200;

export interface TemplateVersion {
  readonly id: string;
  readonly version: string;
}

function keyOf(source: TemplateVersion): string {
  return `${source.id}:${source.version}`;
}

/**
 * The AMI each launch template version launches. A version never changes once created, so an answer
 * is kept for the life of the container; an instance already running a version tells its AMI for free,
 * so only a version nothing runs yet (a new release) costs a call, one per template. An AMI given as an
 * SSM parameter alias is read resolved, as of the first read.
 */
export class LaunchImages {
  private readonly known = new Map<string, string>();

  constructor(private readonly ec2: EC2Client) {}

  /** What is known of these versions' AMIs after asking EC2 about those neither remembered nor seen running. */
  async imagesOf(versions: readonly TemplateVersion[], running: ReadonlyMap<string, string>): Promise<ReadonlyMap<string, string>> {
    for (const [key, imageId] of running) if (!this.known.has(key)) this.known.set(key, imageId);
    const missing = new Map<string, Set<string>>();
    for (const version of versions) {
      if (this.known.has(keyOf(version))) continue;
      const wanted = missing.get(version.id) ?? new Set<string>();
      wanted.add(version.version);
      missing.set(version.id, wanted);
    }
    await Promise.all([...missing].map(([id, wanted]) => this.ask(id, [...wanted])));
    return this.known;
  }

  private async ask(templateId: string, versions: readonly string[]): Promise<void> {
    for (let start = 0; start < versions.length; start += VERSIONS_PER_CALL) {
      const answer = await this.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: templateId,
          Versions: versions.slice(start, start + VERSIONS_PER_CALL),
          ResolveAlias: true,
        }),
      );
      for (const found of answer.LaunchTemplateVersions ?? []) {
        const imageId = found.LaunchTemplateData?.ImageId;
        if (found.VersionNumber !== undefined && imageId !== undefined)
          this.known.set(keyOf({ id: templateId, version: String(found.VersionNumber) }), imageId);
      }
    }
  }
}
