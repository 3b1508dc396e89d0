import { SKIP_REASONS } from './decision.js';
import type { SkipReason } from './decision.js';
import { formatDuration } from './duration.js';
import { ineligibility } from './fleet-state.js';
import type { Group, Instance, Millis, RecycleReason, ReplacementRecord } from './model.js';
import { DAY, HOUR, WEEK } from './model.js';
import type { GroupPolicy } from './policy.js';
import { TAG } from './policy.js';
import { parseGroupPolicy } from './tags.js';
import { openTimeBetween } from './window.js';
import { daysOf, zoneFormatter } from './iso-week.js';
import type { Day } from './iso-week.js';

/** Bumped whenever a field changes meaning or disappears; consumers of the JSON in S3 check it. */
export const REPORT_SCHEMA_VERSION = 1;

/** Reasons in the order a reader expects them: the routine one first. */
export const REPORT_REASONS = ['max-age', 'chaos', 'tainted', 'stale-config'] as const satisfies readonly RecycleReason[];

export const AGE_BUCKETS = ['<1d', '1-3d', '3-7d', '7-14d', '>=14d'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];
const BUCKET_UPPER_BOUNDS: readonly Millis[] = [DAY, 3 * DAY, 7 * DAY, 14 * DAY];

export type ReasonCounts = Readonly<Record<RecycleReason, number>>;
export type AgeHistogram = Readonly<Record<AgeBucket, number>>;
/** Only the reasons that occurred, in a fixed order. */
export type SkipCounts = Readonly<Partial<Record<SkipReason, number>>>;

/** Recovery times of verified replacements closed in the week, nearest-rank; null without any. */
export interface RecoveryStats {
  readonly verified: number;
  readonly p50Seconds: number | null;
  readonly p95Seconds: number | null;
  readonly maxSeconds: number | null;
}

/** Share of instance-hours spent younger than max-age; `measured` is false when estimated from the ages at report time. */
export interface WithinMaxAge {
  readonly pct: number | null;
  readonly withinHours: number;
  readonly totalHours: number;
  readonly measured: boolean;
}

export interface WeekFigures {
  readonly recycled: number;
  readonly failures: number;
  readonly p95Seconds: number | null;
}

/** This week minus the previous week; p95Seconds is null unless both weeks had verified recoveries. */
export type WeekChange = WeekFigures;

export interface OldestInstance {
  readonly group: string;
  readonly instanceId: string;
  readonly ageSeconds: number;
}

/**
 * One local calendar day of the week in the report's time zone, cut at local midnights (23 or 25 hours across a DST
 * change; the first and last are shorter when the week does not start or end at a local midnight).
 */
export interface DayFigures {
  /** The local date, YYYY-MM-DD. */
  readonly date: string;
  readonly start: string;
  readonly end: string;
  /** Counted by the week's own rules, so the days add up to the week. */
  readonly recycled: ReasonCounts;
  readonly recycledTotal: number;
  readonly failures: number;
}

/**
 * From the last hand-made touch of a tainted instance to its termination, nearest-rank; only tainted recycles
 * whose record carries the touch are counted, so `count` may be below `recycled.tainted`. Null without any.
 */
export interface TaintedResponse {
  readonly count: number;
  readonly p50Seconds: number | null;
  readonly maxSeconds: number | null;
}

export type FindingKind = 'quarantined' | 'bad-tags' | 'budget-too-small' | 'window-never-open' | 'recovery-failed';

/** Something a person should look at, in words. */
export interface Finding {
  readonly group: string;
  readonly kind: FindingKind;
  readonly text: string;
}

/** `gone`: the group has records this week or last but no longer exists (or no longer carries phoenix:enabled). */
export type GroupStatus = 'live' | 'dry-run' | 'disabled' | 'bad-tags' | 'gone';

interface Figures {
  /** Live terminations that took effect inside the week, by reason. */
  readonly recycled: ReasonCounts;
  readonly recycledTotal: number;
  /** Dry-run decisions inside the week: what would have been recycled. */
  readonly wouldRecycle: ReasonCounts;
  readonly wouldRecycleTotal: number;
  readonly recovery: RecoveryStats;
  /** Replacements that closed as failed inside the week. */
  readonly failures: number;
  /** Ticks on which the group was skipped, by reason. */
  readonly skips: SkipCounts;
  /** For the fleet, over live groups only. */
  readonly withinMaxAge: WithinMaxAge;
  /** Instances Phoenix may recycle (not exempt, not protected, not terminating), by age at report time. */
  readonly ageHistogram: AgeHistogram;
  readonly oldest: OldestInstance | null;
  readonly previousWeek: WeekFigures;
  readonly change: WeekChange;
  /** The week day by day, in order. */
  readonly daily: readonly DayFigures[];
  readonly taintedResponse: TaintedResponse;
}

export interface GroupReport extends Figures {
  readonly group: string;
  readonly status: GroupStatus;
  readonly instances: number;
  readonly maxAgeSeconds: number | null;
  /** The phoenix:quarantined text when the group carries it now. */
  readonly quarantine: string | null;
  /** Why an opted-in group had nothing done this week; null when something was done. */
  readonly idleReason: string | null;
  readonly findings: readonly Finding[];
}

export interface FleetReport extends Figures {
  readonly groups: number;
  readonly instances: number;
  readonly quarantines: readonly { readonly group: string; readonly reason: string }[];
}

export interface FailedReplacement {
  readonly group: string;
  readonly instanceId: string;
  readonly reason: RecycleReason;
  readonly startedAt: string;
  readonly detail: string | null;
}

/** The weekly recycle report: the documented shape of the JSON written to S3 (null, never absent, for "no value"). */
export interface WeeklyReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** The ISO week (`2026-W47`) when the caller named one. */
  readonly week: string | null;
  readonly weekStart: string;
  readonly weekEnd: string;
  readonly generatedAt: string;
  /** The IANA time zone whose local midnights cut the week into `daily` days. */
  readonly timeZone: string;
  readonly fleet: FleetReport;
  /** Sorted by name. */
  readonly groups: readonly GroupReport[];
  readonly failedReplacements: readonly FailedReplacement[];
  /** Every group's findings, quarantines first. */
  readonly needsAttention: readonly Finding[];
}

export interface SkipCount {
  readonly group: string;
  readonly reason: SkipReason;
  readonly count: number;
}

export interface InstanceHours {
  readonly group: string;
  readonly withinMaxAgeHours: number;
  readonly totalHours: number;
}

export interface WeeklyReportInput {
  readonly weekStart: Millis;
  readonly weekEnd: Millis;
  /** Defaults to one week before weekStart; pass it when a DST change makes the previous week 167 or 169 hours. */
  readonly previousWeekStart?: Millis;
  readonly week?: string;
  /** IANA time zone whose local midnights cut the week into days; default UTC. */
  readonly timeZone?: string;
  /** This week's and the previous week's records. */
  readonly records: readonly ReplacementRecord[];
  /** The fleet now, with tags and instances. */
  readonly groups: readonly Group[];
  /** Ticks skipped this week, aggregated by the caller; repeated (group, reason) pairs are added up. */
  readonly skips: readonly SkipCount[];
  readonly instanceHours?: readonly InstanceHours[];
  readonly now: Millis;
}

const FINDING_ORDER: readonly FindingKind[] = ['quarantined', 'recovery-failed', 'bad-tags', 'budget-too-small', 'window-never-open'];
/** `phoenix:quarantined` with an empty value still quarantines (see tags.ts). */
const QUARANTINE_WITHOUT_REASON = 'no reason given';

function zeroReasons(): Record<RecycleReason, number> {
  return { 'max-age': 0, chaos: 0, tainted: 0, 'stale-config': 0 };
}

function zeroHistogram(): Record<AgeBucket, number> {
  return { '<1d': 0, '1-3d': 0, '3-7d': 0, '7-14d': 0, '>=14d': 0 };
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Nearest-rank percentile of sorted samples. */
function nearestRank(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? null;
}

function recoveryStats(seconds: readonly number[]): RecoveryStats {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { verified: sorted.length, p50Seconds: nearestRank(sorted, 0.5), p95Seconds: nearestRank(sorted, 0.95), maxSeconds: nearestRank(sorted, 1) };
}

function inRange(at: Millis | undefined, from: Millis, to: Millis): boolean {
  return at !== undefined && at >= from && at < to;
}

function recoverySeconds(record: ReplacementRecord): number | undefined {
  return record.phase === 'verified' && record.closedAt !== undefined ? Math.round((record.closedAt - record.startedAt) / 1000) : undefined;
}

/** What a set of records says about one period: the counting rules of the whole report live here. */
interface PeriodTally {
  readonly recycled: Record<RecycleReason, number>;
  readonly wouldRecycle: Record<RecycleReason, number>;
  readonly recoverySeconds: number[];
  readonly failed: ReplacementRecord[];
  /** Touch to termination of the tainted instances recycled, where the record has the touch. */
  readonly taintedSeconds: number[];
}

function tallyPeriod(records: readonly ReplacementRecord[], from: Millis, to: Millis): PeriodTally {
  const tally: PeriodTally = { recycled: zeroReasons(), wouldRecycle: zeroReasons(), recoverySeconds: [], failed: [], taintedSeconds: [] };
  for (const record of records) {
    const { terminatedAt, touchedAt } = record;
    // A live replacement counts when the instance actually went, whenever it was started.
    if (record.mode === 'live' && inRange(terminatedAt, from, to)) {
      tally.recycled[record.reason] += 1;
      if (record.reason === 'tainted' && touchedAt !== undefined && terminatedAt !== undefined) {
        tally.taintedSeconds.push(Math.max(0, Math.round((terminatedAt - touchedAt) / 1000)));
      }
    }
    // Dry-run records never terminate: the decision time is the only time they have.
    if (record.mode === 'dry-run' && inRange(record.startedAt, from, to)) tally.wouldRecycle[record.reason] += 1;
    const seconds = recoverySeconds(record);
    if (seconds !== undefined && inRange(record.closedAt, from, to)) tally.recoverySeconds.push(seconds);
    if (record.phase === 'failed' && inRange(record.closedAt ?? record.startedAt, from, to)) tally.failed.push(record);
  }
  return tally;
}

function taintedResponse(seconds: readonly number[]): TaintedResponse {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { count: sorted.length, p50Seconds: nearestRank(sorted, 0.5), maxSeconds: nearestRank(sorted, 1) };
}

function dailyFigures(records: readonly ReplacementRecord[], days: readonly Day[]): DayFigures[] {
  return days.map((day) => {
    const tally = tallyPeriod(records, day.start, day.end);
    return {
      date: day.date,
      start: isoTime(day.start),
      end: isoTime(day.end),
      recycled: tally.recycled,
      recycledTotal: sum(Object.values(tally.recycled)),
      failures: tally.failed.length,
    };
  });
}

function weekFigures(tally: PeriodTally): WeekFigures {
  return { recycled: sum(Object.values(tally.recycled)), failures: tally.failed.length, p95Seconds: recoveryStats(tally.recoverySeconds).p95Seconds };
}

function change(current: WeekFigures, previous: WeekFigures): WeekChange {
  const p95 = current.p95Seconds === null || previous.p95Seconds === null ? null : current.p95Seconds - previous.p95Seconds;
  return { recycled: current.recycled - previous.recycled, failures: current.failures - previous.failures, p95Seconds: p95 };
}

/** Instances Phoenix could recycle: exempt and protected ones are out of its hands, terminating ones already going. */
function agedInstances(group: Group): Instance[] {
  return group.instances.filter((instance) => {
    const why = ineligibility(instance);
    return instance.launchedAt !== undefined && why !== 'exempt' && why !== 'protected' && !instance.lifecycleState.startsWith('Terminating');
  });
}

function bucketOf(age: Millis): AgeBucket {
  const index = BUCKET_UPPER_BOUNDS.findIndex((bound) => age < bound);
  return AGE_BUCKETS[index === -1 ? AGE_BUCKETS.length - 1 : index] ?? '>=14d';
}

function orderedSkips(counts: ReadonlyMap<SkipReason, number>): SkipCounts {
  const ordered: Partial<Record<SkipReason, number>> = {};
  for (const reason of SKIP_REASONS) {
    const count = counts.get(reason) ?? 0;
    if (count > 0) ordered[reason] = count;
  }
  return ordered;
}

function withinMaxAge(withinHours: number, totalHours: number, measured: boolean): WithinMaxAge {
  return {
    pct: totalHours > 0 ? round((withinHours / totalHours) * 100, 3) : null,
    withinHours: round(withinHours, 2),
    totalHours: round(totalHours, 2),
    measured,
  };
}

/**
 * Without a measurement, the hours this week of the instances alive now, split at each one's max-age.
 * Instances replaced during the week are missing, so this leans towards the fleet as it is now.
 */
function estimateHours(instances: readonly Instance[], maxAge: Millis, weekStart: Millis, until: Millis): { within: number; total: number } {
  let within = 0;
  let total = 0;
  for (const instance of instances) {
    const from = Math.max(instance.launchedAt ?? until, weekStart);
    if (until <= from) continue;
    const limit = (instance.launchedAt ?? until) + maxAge;
    total += (until - from) / HOUR;
    within += Math.max(0, Math.min(until, limit) - from) / HOUR;
  }
  return { within, total };
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Replacements a week needs (every instance once per max-age) against what the budget allows in the window's
 * open share of the week; a finding only when the need is larger.
 */
function budgetFinding(group: Group, policy: GroupPolicy, weekStart: Millis, weekEnd: Millis): Finding | undefined {
  if (policy.maxAge === undefined || group.desired === 0) return undefined;
  const needed = (group.desired * WEEK) / policy.maxAge;
  const openShare = openTimeBetween(policy.window, weekStart, weekEnd) / (weekEnd - weekStart);
  const allowed = policy.budget.count * (WEEK / policy.budget.period) * openShare;
  if (needed <= allowed) return undefined;
  const where = policy.window === undefined ? 'always open' : `window ${policy.window.text} open ${round(openShare * 100, 1)}% of the week`;
  return {
    group: group.name,
    kind: 'budget-too-small',
    text:
      `budget too small for max-age: ${group.desired} instances at max-age ${formatDuration(policy.maxAge)} need ${formatCount(round(needed, 1))} replacements a week, ` +
      `but budget ${policy.budget.text} (${where}) allows ${formatCount(round(allowed, 1))}`,
  };
}

function dominantSkip(skips: SkipCounts): string | undefined {
  let best: [SkipReason, number] | undefined;
  for (const reason of SKIP_REASONS) {
    const count = skips[reason] ?? 0;
    if (count > (best?.[1] ?? 0)) best = [reason, count];
  }
  return best === undefined ? undefined : `skipped every tick, most often ${best[0]} (${best[1]} ticks)`;
}

interface GroupContext {
  readonly weekStart: Millis;
  readonly weekEnd: Millis;
  readonly previousStart: Millis;
  readonly now: Millis;
  readonly days: readonly Day[];
}

interface GroupParts {
  readonly name: string;
  readonly group: Group | undefined;
  readonly records: readonly ReplacementRecord[];
  readonly skips: ReadonlyMap<SkipReason, number>;
  readonly hours: InstanceHours | undefined;
}

function groupReport(parts: GroupParts, context: GroupContext): GroupReport {
  const { name, group, records, hours } = parts;
  const { weekStart, weekEnd, previousStart, now } = context;
  const current = tallyPeriod(records, weekStart, weekEnd);
  const previousWeek = weekFigures(tallyPeriod(records, previousStart, weekStart));
  const thisWeek = weekFigures(current);
  const parsed = group === undefined ? undefined : parseGroupPolicy(group.tags);
  const policy = parsed?.ok === true ? parsed.policy : undefined;
  const status: GroupStatus = parsed === undefined ? 'gone' : policy === undefined ? 'bad-tags' : policy.mode;
  const rawQuarantine = group?.tags[TAG.quarantined];
  const quarantine = rawQuarantine === undefined ? null : rawQuarantine.trim() === '' ? QUARANTINE_WITHOUT_REASON : rawQuarantine;
  const skips = orderedSkips(parts.skips);

  const aged = group === undefined ? [] : agedInstances(group);
  const histogram = zeroHistogram();
  let oldest: OldestInstance | null = null;
  for (const instance of aged) {
    const age = Math.max(0, now - (instance.launchedAt ?? now));
    histogram[bucketOf(age)] += 1;
    if (oldest === null || age / 1000 > oldest.ageSeconds) oldest = { group: name, instanceId: instance.id, ageSeconds: Math.round(age / 1000) };
  }

  const maxAge = policy?.maxAge;
  let share: WithinMaxAge;
  if (hours !== undefined) share = withinMaxAge(hours.withinMaxAgeHours, hours.totalHours, true);
  else if (maxAge === undefined) share = withinMaxAge(0, 0, false);
  else {
    const estimate = estimateHours(aged, maxAge, weekStart, Math.min(now, weekEnd));
    share = withinMaxAge(estimate.within, estimate.total, false);
  }

  const findings: Finding[] = [];
  if (quarantine !== null) findings.push({ group: name, kind: 'quarantined', text: `quarantined: ${quarantine}` });
  if (current.failed.length > 0) {
    findings.push({ group: name, kind: 'recovery-failed', text: `${current.failed.length} replacement${current.failed.length === 1 ? '' : 's'} failed to recover` });
  }
  if (parsed?.ok === false) findings.push({ group: name, kind: 'bad-tags', text: `bad tags: ${parsed.errors[0]?.message ?? 'unparsable phoenix tags'}` });
  const budget = group !== undefined && policy !== undefined && policy.mode !== 'disabled' ? budgetFinding(group, policy, weekStart, weekEnd) : undefined;
  if (budget !== undefined) findings.push(budget);
  const didSomething = thisWeek.recycled > 0 || sum(Object.values(current.wouldRecycle)) > 0 || current.failed.length > 0;
  const skipTotal = sum(parts.skips.values());
  // Every skip outside the window is the caller's measurement; zero open time is the tag's own arithmetic.
  const windowNeverOpen =
    !didSomething &&
    policy?.window !== undefined &&
    policy.mode !== 'disabled' &&
    ((skipTotal > 0 && skips['outside-window'] === skipTotal) || openTimeBetween(policy.window, weekStart, weekEnd) === 0);
  if (windowNeverOpen) findings.push({ group: name, kind: 'window-never-open', text: `window never open this week (${policy?.window?.text ?? ''})` });

  let idleReason: string | null = null;
  if (!didSomething && status !== 'disabled' && status !== 'gone') {
    const byKind = (kind: FindingKind): string | undefined => findings.find((finding) => finding.kind === kind)?.text;
    const reachedMaxAge = maxAge !== undefined && oldest !== null && oldest.ageSeconds * 1000 >= maxAge;
    idleReason =
      byKind('bad-tags') ??
      byKind('quarantined') ??
      byKind('window-never-open') ??
      byKind('budget-too-small') ??
      (maxAge !== undefined && !reachedMaxAge ? 'no instance reached max-age' : undefined) ??
      (maxAge === undefined && policy?.chaosMeanInterval === undefined ? 'no max-age or chaos rule set' : undefined) ??
      dominantSkip(skips) ??
      'no candidate this week';
  }

  return {
    group: name,
    status,
    instances: group?.instances.length ?? 0,
    maxAgeSeconds: maxAge === undefined ? null : maxAge / 1000,
    quarantine,
    recycled: current.recycled,
    recycledTotal: thisWeek.recycled,
    wouldRecycle: current.wouldRecycle,
    wouldRecycleTotal: sum(Object.values(current.wouldRecycle)),
    recovery: recoveryStats(current.recoverySeconds),
    failures: thisWeek.failures,
    skips,
    withinMaxAge: share,
    ageHistogram: histogram,
    oldest,
    previousWeek,
    change: change(thisWeek, previousWeek),
    daily: dailyFigures(records, context.days),
    taintedResponse: taintedResponse(current.taintedSeconds),
    idleReason,
    findings,
  };
}

function addReasons(into: Record<RecycleReason, number>, counts: ReasonCounts): void {
  for (const reason of REPORT_REASONS) into[reason] += counts[reason];
}

function isoTime(at: Millis): string {
  return new Date(at).toISOString();
}

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
  const context: GroupContext = { weekStart, weekEnd, previousStart, now, days: daysOf(zoneFormatter(timeZone), weekStart, weekEnd) };

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
        { name, group: groupsByName.get(name), records: recordsByGroup.get(name) ?? [], skips: skipsByGroup.get(name) ?? new Map(), hours: hoursByGroup.get(name) },
        context,
      ),
    );

  const fleet = fleetReport(groups, input.records, context);
  const failedReplacements = failedIn(input.records, new Set(groups.map((group) => group.group)), weekStart, weekEnd);
  const needsAttention = groups
    .flatMap((group) => group.findings)
    .sort((a, b) => FINDING_ORDER.indexOf(a.kind) - FINDING_ORDER.indexOf(b.kind) || a.group.localeCompare(b.group));

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
    .map((record) => ({ group: record.group, instanceId: record.instanceId, reason: record.reason, startedAt: isoTime(record.startedAt), detail: record.detail ?? null }));
}

/** Fleet figures add the groups' up; percentiles are recomputed from every sample, never averaged. */
function fleetReport(groups: readonly GroupReport[], records: readonly ReplacementRecord[], context: GroupContext): FleetReport {
  const reported = new Set(groups.map((group) => group.group));
  const own = records.filter((record) => reported.has(record.group));
  const current = tallyPeriod(own, context.weekStart, context.weekEnd);
  const thisWeek = weekFigures(current);
  const previousWeek = weekFigures(tallyPeriod(own, context.previousStart, context.weekStart));

  const recycled = zeroReasons();
  const wouldRecycle = zeroReasons();
  const histogram = zeroHistogram();
  const skips = new Map<SkipReason, number>();
  let oldest: OldestInstance | null = null;
  let withinHours = 0;
  let totalHours = 0;
  let measured = groups.length > 0;
  for (const group of groups) {
    addReasons(recycled, group.recycled);
    addReasons(wouldRecycle, group.wouldRecycle);
    for (const bucket of AGE_BUCKETS) histogram[bucket] += group.ageHistogram[bucket];
    for (const reason of SKIP_REASONS) skips.set(reason, (skips.get(reason) ?? 0) + (group.skips[reason] ?? 0));
    if (group.oldest !== null && (oldest === null || group.oldest.ageSeconds > oldest.ageSeconds)) oldest = group.oldest;
    // Dry-run groups are never recycled: their ages are in their own rows, not in what Phoenix answers for.
    if (group.status === 'live' && group.withinMaxAge.totalHours > 0) {
      withinHours += group.withinMaxAge.withinHours;
      totalHours += group.withinMaxAge.totalHours;
      measured &&= group.withinMaxAge.measured;
    }
  }
  return {
    groups: groups.length,
    instances: sum(groups.map((group) => group.instances)),
    quarantines: groups.flatMap((group) => (group.quarantine === null ? [] : [{ group: group.group, reason: group.quarantine }])),
    recycled,
    recycledTotal: sum(Object.values(recycled)),
    wouldRecycle,
    wouldRecycleTotal: sum(Object.values(wouldRecycle)),
    recovery: recoveryStats(current.recoverySeconds),
    failures: thisWeek.failures,
    skips: orderedSkips(skips),
    withinMaxAge: withinMaxAge(withinHours, totalHours, measured && totalHours > 0),
    ageHistogram: histogram,
    oldest,
    previousWeek,
    change: change(thisWeek, previousWeek),
    daily: dailyFigures(own, context.days),
    taintedResponse: taintedResponse(current.taintedSeconds),
  };
}
