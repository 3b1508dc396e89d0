import type { SkipReason } from '../decide/decision.js';
import type { VersionBlock } from '../decide/versions.js';
import { launchKeys } from '../decide/versions.js';
import type { Group, Millis, ReplacementRecord } from '../model.js';
import { WEEK } from '../model.js';
import { parseGroupPolicy } from '../policy/tags.js';
import { zoneFormatter } from '../policy/zone-clock.js';
import type { ConsoleLinks } from './console.js';
import { consoleLinks } from './console.js';
import { reportDeadlines } from './deadlines.js';
import { byAttention, recyclerFindings } from './findings.js';
import { fleetReport } from './fleet.js';
import type { WeekContext } from './group.js';
import { groupReport } from './group.js';
import { daysOf } from './iso-week.js';
import { ownerSections } from './owners.js';
import type { BlockedVersionEntry, FailedReplacement, FleetFinding, LeftOut, WeeklyReport, WeeklyReportInput } from './schema.js';
import { REPORT_SCHEMA_VERSION } from './schema.js';
import { isoTime, tallyPeriod } from './tally.js';
import { weeklyTrend } from './trend.js';

/** Groups worth a row: opted in now (disabled ones only if they acted this week or last), or gone but with records. */
function isReported(group: Group | undefined, records: readonly ReplacementRecord[]): boolean {
  if (records.length > 0) return true;
  if (group === undefined) return false;
  const parsed = parseGroupPolicy(group.tags);
  return !parsed.ok || parsed.policy.mode !== 'disabled';
}

/** A week asked for before it began: its report would be all zeros that look like a calm week. */
export class FutureWeekError extends RangeError {
  override readonly name = 'FutureWeekError';

  constructor(
    readonly week: string,
    readonly weekStart: Millis,
    readonly now: Millis,
  ) {
    super(`week ${week} has not begun: it starts ${isoTime(weekStart)}, after now (${isoTime(now)}): expected a week that has begun`);
  }
}

/** Each blocked version with the groups that launch it now, as far as their reads tell (an AMI only once one runs). */
function blockedVersions(blocks: readonly VersionBlock[], groups: readonly Group[]): BlockedVersionEntry[] {
  return blocks.map((block) => ({
    version: block.key,
    blockedAt: isoTime(block.blockedAt),
    why: block.why,
    groups: groups.filter((group) => launchKeys(group.launchSource).includes(block.key)).map((group) => group.name),
  }));
}

function blockedFindings(blocked: readonly BlockedVersionEntry[]): FleetFinding[] {
  return blocked.map((entry) => ({
    kind: 'version-blocked',
    text: `version ${entry.version} blocked since ${entry.blockedAt} after ${entry.why}; ${
      entry.groups.length === 0 ? 'no group launches it now' : `${entry.groups.join(', ')} wait`
    } until phoenix release --version or --ami lifts it`,
  }));
}

/** Refuses a week that starts at or after `now`, before anything is read for it. */
export function refuseFutureWeek(week: string, weekStart: Millis, now: Millis): void {
  if (weekStart >= now) throw new FutureWeekError(week, weekStart, now);
}

function leftOut(groups: readonly Group[], reported: ReadonlySet<string>): LeftOut {
  const out = groups.filter((group) => !reported.has(group.name));
  return { disabledGroups: out.length, disabledInstances: out.reduce((total, group) => total + group.instances.length, 0) };
}

/** The weekly recycle report for the fleet and each group: pure, every time and measurement passed in. */
export function weeklyReport(input: WeeklyReportInput): WeeklyReport {
  const { weekStart, weekEnd, now } = input;
  if (!(weekEnd > weekStart)) throw new RangeError(`weekly report: weekEnd ${isoTime(weekEnd)} must be after weekStart ${isoTime(weekStart)}`);
  refuseFutureWeek(input.week ?? `${isoTime(weekStart)} to ${isoTime(weekEnd)}`, weekStart, now);
  const links: ConsoleLinks | undefined = input.region === undefined ? undefined : consoleLinks(input.region);
  const blocked = blockedVersions(input.versionBlocks ?? [], input.groups);
  const previousStart = input.previousWeekStart ?? weekStart - WEEK;
  const timeZone = input.timeZone ?? 'UTC';
  const partial = now < weekEnd;
  // Days still to come in a partial week have nothing in them yet, and a zero there would read as a calm day.
  const days = daysOf(zoneFormatter(timeZone), weekStart, Math.min(weekEnd, now));
  const context: WeekContext = { weekStart, weekEnd, previousStart, now, days, links, ownerTagKey: input.ownerTagKey ?? 'team' };

  const groupsByName = new Map(input.groups.map((group) => [group.name, group]));
  const recordsByGroup = new Map<string, ReplacementRecord[]>();
  for (const record of input.records) {
    if (record.startedAt >= weekEnd || Math.max(record.startedAt, record.terminatedAt ?? 0, record.closedAt ?? 0) < previousStart) continue;
    recordsByGroup.set(record.group, [...(recordsByGroup.get(record.group) ?? []), record]);
  }
  const skipsByGroup = new Map<string, Map<SkipReason, number>>();
  for (const skip of input.skips) {
    const counts = skipsByGroup.get(skip.group) ?? new Map<SkipReason, number>();
    counts.set(skip.reason, (counts.get(skip.reason) ?? 0) + skip.count);
    skipsByGroup.set(skip.group, counts);
  }
  const hoursByGroup = new Map((input.instanceHours ?? []).map((hours) => [hours.group, hours]));

  const names = [...new Set([...groupsByName.keys(), ...recordsByGroup.keys()])].sort();
  const groups = names
    .filter((name) => isReported(groupsByName.get(name), recordsByGroup.get(name) ?? []))
    .map((name) =>
      groupReport(
        {
          name,
          group: groupsByName.get(name),
          records: recordsByGroup.get(name) ?? [],
          skips: skipsByGroup.get(name) ?? new Map(),
          hours: hoursByGroup.get(name),
        },
        context,
      ),
    );

  const reported = new Set(groups.map((group) => group.group));
  const fleet = fleetReport(groups, input.records, context, leftOut(input.groups, reported));
  const failedReplacements = failedIn(input.records, reported, { from: weekStart, to: weekEnd, links });
  const deadlines = input.tickInterval === undefined ? undefined : reportDeadlines(input.groups, input.records, { now, tickInterval: input.tickInterval });
  const needsAttention = [...groups.flatMap((group) => group.findings), ...(deadlines?.findings ?? [])].sort(byAttention);
  const trend =
    input.trend === undefined ? null : weeklyTrend({ trend: input.trend, records: input.records, groups: input.groups, current: fleet.withinMaxAge, now });
  const until = isoTime(Math.min(now, weekEnd));

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    week: input.week ?? null,
    weekStart: isoTime(weekStart),
    weekEnd: isoTime(weekEnd),
    generatedAt: isoTime(now),
    partial,
    region: input.region ?? null,
    recyclerTicks: input.ticks ?? null,
    timeZone,
    fleet,
    groups,
    failedReplacements,
    needsAttention,
    fleetFindings: [...blockedFindings(blocked), ...recyclerFindings(input.ticks, isoTime(weekStart), until, partial)],
    blockedVersions: blocked,
    trend,
    deadlines: deadlines?.summary ?? null,
    owners: ownerSections(groups, needsAttention),
    snoozes: (input.snoozes ?? [])
      .filter((mark) => mark.seenAt >= weekStart && mark.seenAt < weekEnd)
      .sort((a, b) => a.seenAt - b.seenAt || a.group.localeCompare(b.group))
      .map((mark) => ({
        group: mark.group,
        seenAt: isoTime(mark.seenAt),
        until: isoTime(mark.until),
        lengthSeconds: Math.round((mark.until - mark.seenAt) / 1000),
        by: mark.setter?.by ?? null,
        setAt: mark.setter === undefined ? null : isoTime(mark.setter.at),
      })),
    requests: input.records
      .filter((record) => record.reason === 'requested' && record.mode === 'live' && record.startedAt >= weekStart && record.startedAt < weekEnd)
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((record) => ({
        group: record.group,
        instanceId: record.instanceId,
        startedAt: isoTime(record.startedAt),
        servedAt: record.terminatedAt === undefined ? null : isoTime(record.terminatedAt),
        outcome: record.phase,
      })),
  };
}

function failedIn(
  records: readonly ReplacementRecord[],
  groups: ReadonlySet<string>,
  period: { readonly from: Millis; readonly to: Millis; readonly links: ConsoleLinks | undefined },
): FailedReplacement[] {
  return tallyPeriod(records, period.from, period.to)
    .failed.filter((record) => groups.has(record.group))
    .sort((a, b) => a.startedAt - b.startedAt || a.group.localeCompare(b.group))
    .map((record) => ({
      group: record.group,
      instanceId: record.instanceId,
      reason: record.reason,
      startedAt: isoTime(record.startedAt),
      detail: record.detail ?? null,
      url: period.links?.instance(record.instanceId) ?? null,
    }));
}
