import type { SkipReason } from '../decide/decision.js';
import { SKIP_REASONS } from '../decide/decision.js';
import type { Group, MaxLeft, Millis, ReplacementRecord } from '../model.js';
import { TAG } from '../policy/policy.js';
import type { PolicyResult } from '../policy/tags.js';
import { parseGroupPolicy } from '../policy/tags.js';
import { agedInstances, ageHistogram, shareWithinMaxAge } from './ages.js';
import type { ConsoleLinks } from './console.js';
import { dryRunBehind, groupFindings, idleReason } from './findings.js';
import type { Day } from './iso-week.js';
import { sum } from './numbers.js';
import type { GroupReport, GroupStatus, InstanceHours, SkipCounts } from './schema.js';
import { change, dailyFigures, recoveryStats, taintedResponse, tallyPeriod, weekFigures } from './tally.js';

/** `phoenix:quarantined` with an empty value still quarantines (see tags.ts). */
const QUARANTINE_WITHOUT_REASON = 'no reason given';

export interface WeekContext {
  readonly weekStart: Millis;
  readonly weekEnd: Millis;
  readonly previousStart: Millis;
  readonly now: Millis;
  readonly days: readonly Day[];
  readonly links: ConsoleLinks | undefined;
  readonly ownerTagKey: string;
}

export interface GroupParts {
  readonly name: string;
  readonly group: Group | undefined;
  readonly records: readonly ReplacementRecord[];
  readonly skips: ReadonlyMap<SkipReason, number>;
  readonly hours: InstanceHours | undefined;
}

export function orderedSkips(counts: ReadonlyMap<SkipReason, number>): SkipCounts {
  const ordered: Partial<Record<SkipReason, number>> = {};
  for (const reason of SKIP_REASONS) {
    const count = counts.get(reason) ?? 0;
    if (count > 0) ordered[reason] = count;
  }
  return ordered;
}

/** The max sizes left to the owner by replacements that closed in the week, oldest first. */
function maxSizesLeft(records: readonly ReplacementRecord[], from: Millis, to: Millis): MaxLeft[] {
  return records
    .filter((record) => record.closedAt !== undefined && record.closedAt >= from && record.closedAt < to)
    .sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0))
    .flatMap((record) => (record.maxLeft === undefined ? [] : [record.maxLeft]));
}

function groupStatus(parsed: PolicyResult | undefined): GroupStatus {
  if (parsed === undefined) return 'gone';
  return parsed.ok ? parsed.policy.mode : 'bad-tags';
}

function quarantineText(group: Group | undefined): string | null {
  const raw = group?.tags[TAG.quarantined];
  return raw === undefined ? null : raw.trim() === '' ? QUARANTINE_WITHOUT_REASON : raw;
}

export function groupReport(parts: GroupParts, context: WeekContext): GroupReport {
  const { name, group, records } = parts;
  const { weekStart, weekEnd, now } = context;
  const current = tallyPeriod(records, weekStart, weekEnd);
  const previousWeek = weekFigures(tallyPeriod(records, context.previousStart, weekStart));
  const thisWeek = weekFigures(current);
  const wouldRecycleTotal = sum(Object.values(current.wouldRecycle));
  const parsed = group === undefined ? undefined : parseGroupPolicy(group.tags);
  const policy = parsed?.ok === true ? parsed.policy : undefined;
  const maxAge = policy?.maxAge;
  const status = groupStatus(parsed);
  const quarantine = quarantineText(group);
  const skips = orderedSkips(parts.skips);
  const aged = group === undefined ? [] : agedInstances(group);
  const { histogram, oldest } = ageHistogram(name, aged, now, context.links?.instance);
  const didSomething = thisWeek.recycled > 0 || wouldRecycleTotal > 0 || current.failed.length > 0;
  const within = shareWithinMaxAge({ hours: parts.hours, maxAge, aged, records, weekStart, until: Math.min(now, weekEnd) });
  const behind = dryRunBehind({ name, status, maxAge, within, wouldRecycle: wouldRecycleTotal });
  const findings = [
    ...groupFindings(
      {
        name,
        group,
        parsed,
        quarantine,
        failed: current.failed.length,
        maxLeft: maxSizesLeft(records, weekStart, weekEnd),
        didSomething,
        skips,
        skipTotal: sum(parts.skips.values()),
      },
      weekStart,
      weekEnd,
    ),
    ...(behind === undefined ? [] : [behind]),
  ];
  const idle = didSomething || status === 'disabled' || status === 'gone' ? null : idleReason(findings, policy, oldest, skips);

  return {
    group: name,
    owner: group?.tags[context.ownerTagKey] ?? [...records].reverse().find((record) => record.owner !== undefined)?.owner ?? null,
    url: context.links?.group(name) ?? null,
    status,
    instances: group?.instances.length ?? 0,
    maxAgeSeconds: maxAge === undefined ? null : maxAge / 1000,
    quarantine,
    recycled: current.recycled,
    recycledTotal: thisWeek.recycled,
    wouldRecycle: current.wouldRecycle,
    wouldRecycleTotal,
    recovery: recoveryStats(current.recoverySeconds),
    failures: thisWeek.failures,
    skips,
    withinMaxAge: within,
    ageHistogram: histogram,
    oldest,
    previousWeek,
    change: change(thisWeek, previousWeek),
    daily: dailyFigures(records, context.days),
    taintedResponse: taintedResponse(current.taintedSeconds),
    idleReason: idle,
    findings,
  };
}
