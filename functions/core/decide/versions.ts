import type { LaunchSource, Millis, ReplacementRecord } from '../model.js';
import { DAY, MINUTE } from '../model.js';
import { formatDuration } from '../policy/duration.js';

/**
 * The names a launch goes by for the breaker: its template version (`lt-0abc:7`) or launch
 * configuration (`lc:web-2024`), and its AMI when known. A bad release is as often a bad image shared
 * by many templates as one template version, so either name can be blocked.
 */
export function launchKeys(source: LaunchSource | undefined): string[] {
  if (source === undefined) return [];
  const own = source.kind === 'template' ? `${source.id}:${source.version}` : `lc:${source.name}`;
  return source.imageId === undefined ? [own] : [own, source.imageId];
}

export function isImageKey(key: string): boolean {
  return key.startsWith('ami-');
}

/** A version no group may launch until an operator releases it (`phoenix release --version`). */
export interface VersionBlock {
  readonly key: string;
  readonly blockedAt: Millis;
  /** What tripped it, in an operator's words: `2 failed recoveries (web, api) within 1d`. */
  readonly why: string;
  /** The failed replacement whose run blocked it, which announces it (once, even if that run is repeated). */
  readonly trippedBy: string;
}

/** A block an operator lifted, until a tick has announced it (`Version Released`). */
export interface VersionReleaseNotice {
  readonly key: string;
  readonly releasedAt: Millis;
  readonly releasedBy: string;
}

export interface BreakerSettings {
  /** Failed recoveries onto one version, in this many distinct groups within `period`, block it. */
  readonly failuresToBlock: number;
  readonly period: Millis;
  /** How long a canary's verified replacement runs without a failure before other groups follow it. */
  readonly bakeTime: Millis;
}

export const DEFAULT_BREAKER: BreakerSettings = Object.freeze({ failuresToBlock: 2, period: DAY, bakeTime: 30 * MINUTE });

export interface VersionFailure {
  readonly group: string;
  readonly at: Millis;
  readonly recordId: string;
  /** The failed replacement was the version's canary. */
  readonly canary: boolean;
}

/** What the ledger keeps about one version: its failed recoveries, its block and its last release. */
export interface VersionHealth {
  readonly key: string;
  readonly failures: readonly VersionFailure[];
  readonly block: VersionBlock | undefined;
  readonly releasedAt: Millis | undefined;
}

/**
 * Why a version's failed recoveries block it now, or undefined when they do not: its canary failed, or
 * replacements onto it failed in `failuresToBlock` groups within the period. Failures before its last
 * release were forgiven by that release.
 */
export function tripReason(health: VersionHealth, settings: BreakerSettings, now: Millis): string | undefined {
  const counted = health.failures.filter(
    (failure) => (health.releasedAt === undefined || failure.at > health.releasedAt) && failure.at >= now - settings.period,
  );
  const canary = counted.find((failure) => failure.canary);
  if (canary !== undefined) return `its canary replacement in ${canary.group} failed to recover`;
  const groups = [...new Set(counted.map((failure) => failure.group))].sort();
  if (groups.length < settings.failuresToBlock) return undefined;
  return `${groups.length} failed recoveries (${groups.join(', ')}) within ${formatDuration(settings.period)}`;
}

export function blockedText(block: VersionBlock): string {
  return `version ${block.key} blocked after ${block.why}`;
}

/**
 * Why a group may not launch what it launches now, or undefined when it may. A launch whose AMI is
 * unknown cannot be cleared while an AMI is blocked; one whose source is unknown, while anything is.
 */
export function launchBlocked(source: LaunchSource | undefined, blocks: readonly VersionBlock[]): string | undefined {
  if (blocks.length === 0) return undefined;
  if (source === undefined) return `its launch source is unknown while ${blocks.map((block) => block.key).join(', ')} is blocked`;
  const keys = launchKeys(source);
  const block = blocks.find((candidate) => keys.includes(candidate.key));
  if (block !== undefined) return blockedText(block);
  const image = blocks.find((candidate) => isImageKey(candidate.key));
  if (source.imageId === undefined && image !== undefined) return `the AMI ${keys[0]} launches is unknown while ${image.key} is blocked`;
  return undefined;
}

/** Why an open replacement launched a version blocked since, or undefined: it is then only taken back. */
export function recordBlocked(record: ReplacementRecord, blocks: readonly VersionBlock[]): string | undefined {
  const keys = launchKeys(record.launches);
  const block = blocks.find((candidate) => keys.includes(candidate.key));
  return block === undefined ? undefined : blockedText(block);
}
