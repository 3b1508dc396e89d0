import type { VersionBlock, VersionFailure, VersionHealth, VersionReleaseNotice } from '../functions/core/decide/versions.js';
import type { Millis } from '../functions/core/model.js';

/**
 * What the ledger keeps about versions, in memory, with DynamoDB's semantics: a failure noted again
 * for the same record keeps the first note, a block is written only over no block and the release
 * its caller read, and a release lifts the block and forgives the failures before it.
 */
export class MemoryVersions {
  private readonly versions = new Map<string, VersionHealth>();
  private readonly unannounced = new Map<string, VersionReleaseNotice>();

  blocks(): VersionBlock[] {
    return [...this.versions.values()].flatMap((health) => (health.block === undefined ? [] : [health.block]));
  }

  noteFailure(key: string, failure: VersionFailure): VersionHealth {
    const health = this.versions.get(key) ?? { key, failures: [], block: undefined, releasedAt: undefined };
    const noted = health.failures.some((known) => known.recordId === failure.recordId) ? health : { ...health, failures: [...health.failures, failure] };
    this.versions.set(key, noted);
    return noted;
  }

  blockVersion(block: VersionBlock, seen: VersionHealth): 'blocked' | 'conflict' {
    const health = this.versions.get(block.key);
    if (health === undefined || health.block !== undefined || health.releasedAt !== seen.releasedAt) return 'conflict';
    this.versions.set(block.key, { ...health, block });
    return 'blocked';
  }

  releaseVersion(key: string, at: Millis, by: string): VersionBlock | undefined {
    const health = this.versions.get(key);
    if (health?.block === undefined) return undefined;
    this.versions.set(key, { ...health, block: undefined, releasedAt: at });
    this.unannounced.set(key, { key, releasedAt: at, releasedBy: by });
    return health.block;
  }

  releases(): VersionReleaseNotice[] {
    return [...this.unannounced.values()];
  }

  releaseAnnounced(release: VersionReleaseNotice): void {
    if (this.unannounced.get(release.key)?.releasedAt === release.releasedAt) this.unannounced.delete(release.key);
  }
}
