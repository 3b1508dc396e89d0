import type { Millis, OutboxEvent } from '../functions/core/model.js';
import type { SimFleet } from './fleet.js';

/** What a bad release did and how far Phoenix carried it, from the fleet's own log and what was announced. */
export interface VersionFigures {
  /** Groups a bad release reached (the world's deploys). */
  readonly groupsOnBadVersion: number;
  /** Replacements Phoenix started onto a bad release: a raise, or a termination Auto Scaling replaces. */
  readonly replacementsOntoBadVersion: number;
  /** Of those, started after a `Version Blocked` named that release (its template version or AMI). */
  readonly replacementsOntoBlockedVersion: number;
  /** Versions blocked at the end, as announced. */
  readonly blockedVersions: string[];
  /** Share of instance-hours within max-age of the live groups no deploy reached. */
  readonly withinMaxAgePctElsewhere: number;
}

/** When each version was blocked, as Phoenix announced it; a release lifts it from then on. */
function blockTimes(events: readonly OutboxEvent[]): { readonly since: Map<string, Millis>; readonly atEnd: Set<string> } {
  const since = new Map<string, Millis>();
  const atEnd = new Set<string>();
  for (const event of events) {
    const version = event.detail['version'];
    if (typeof version !== 'string') continue;
    if (event.detailType === 'Version Blocked') {
      if (!since.has(version)) since.set(version, Date.parse(event.time));
      atEnd.add(version);
    } else if (event.detailType === 'Version Released') {
      atEnd.delete(version);
    }
  }
  return { since, atEnd };
}

export function versionFigures(fleet: SimFleet, events: readonly OutboxEvent[], until: Millis, tolerance: Millis): VersionFigures {
  const deployed = fleet.deployedGroups();
  const blocks = blockTimes(events);
  let onBad = 0;
  let onBlocked = 0;
  for (const call of fleet.calls()) {
    if (call.outcome !== 'ok' || call.badLaunch === undefined) continue;
    onBad += 1;
    if (call.badLaunch.some((key) => (blocks.since.get(key) ?? Infinity) <= call.at)) onBlocked += 1;
  }
  return {
    groupsOnBadVersion: [...deployed.values()].filter((bad) => bad).length,
    replacementsOntoBadVersion: onBad,
    replacementsOntoBlockedVersion: onBlocked,
    blockedVersions: [...blocks.atEnd].sort(),
    withinMaxAgePctElsewhere: Math.round(fleet.ageStats({ until, tolerance, except: new Set(deployed.keys()) }).withinMaxAgePct * 1000) / 1000,
  };
}
