import type { SkipReason } from '../decide/decision.js';
import type { Group, Millis, ReplacementRecord } from '../model.js';
import { WEEK } from '../model.js';
import { parseGroupPolicy } from '../policy/tags.js';
import { byAttention } from './findings.js';
import { fleetReport } from './fleet.js';
import type { WeekContext } from './group.js';
import { groupReport } from './group.js';
import { daysOf, zoneFormatter } from './iso-week.js';
import type { FailedReplacement, WeeklyReport, WeeklyReportInput } from './schema.js';
import { REPORT_SCHEMA_VERSION } from './schema.js';
import { isoTime, tallyPeriod } from './tally.js';

/** Groups worth a row: opted in now (disabled ones only if they acted this week or last), or gone but with records. */
function isReported(group: Group | undefined, records: readonly ReplacementRecord[]): boolean {
  if (records.length > 0) return true;
  if (group === undefined) return false;
  const parsed = parseGroupPolicy(group.tags);
  return !parsed.ok || parsed.policy.mode !== 'disabled';
}

/** The weekly recycle report for the fleet and each group: pure, every time and measurement passed in. */
export function weeklyReport(input: WeeklyReportInput): WeeklyReport {
  const { weekStart, weekEnd, now } = input;
  if (!(weekEnd > weekStart)) throw new RangeError(`weekly report: weekEnd ${isoTime(weekEnd)} must be after weekStart ${isoTime(weekStart)}`);
  const previousStart = input.previousWeekStart ?? weekStart - WEEK;
  const timeZone = input.timeZone ?? 'UTC';
  const context: WeekContext = { weekStart, weekEnd, previousStart, now, days: daysOf(zoneFormatter(timeZone), weekStart, weekEnd) };

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

  const fleet = fleetReport(groups, input.records, context);
  const failedReplacements = failedIn(input.records, new Set(groups.map((group) => group.group)), weekStart, weekEnd);
  const needsAttention = groups.flatMap((group) => group.findings).sort(byAttention);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    week: input.week ?? null,
    weekStart: isoTime(weekStart),
    weekEnd: isoTime(weekEnd),
    generatedAt: isoTime(now),
    timeZone,
    fleet,
    groups,
    failedReplacements,
    needsAttention,
  };
}

function failedIn(records: readonly ReplacementRecord[], groups: ReadonlySet<string>, from: Millis, to: Millis): FailedReplacement[] {
  return tallyPeriod(records, from, to)
    .failed.filter((record) => groups.has(record.group))
    .sort((a, b) => a.startedAt - b.startedAt || a.group.localeCompare(b.group))
    .map((record) => ({
      group: record.group,
      instanceId: record.instanceId,
      reason: record.reason,
      startedAt: isoTime(record.startedAt),
      detail: record.detail ?? null,
    }));
}
