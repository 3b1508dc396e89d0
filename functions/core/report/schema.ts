import type { SkipReason } from '../decide/decision.js';
import type { VersionBlock } from '../decide/versions.js';
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../model.js';
import type { SnoozeMark } from '../policy/snooze.js';
import type { SkipCount, TickSummary } from './tick-summary.js';

/** The report model: the documented shape of the JSON in S3, and what a caller passes in to build it. */

/**
 * Bumped whenever a field changes meaning or disappears; consumers of the JSON in S3 check it. 2: the fleet's
 * oldest instance and age histogram cover live groups only, as its share within max-age always did. Fields and
 * finding kinds may be added without a bump (2 gained `trend`, `deadlines` and the `will-breach` finding).
 */
export const REPORT_SCHEMA_VERSION = 2;

/** Reasons in the order a reader expects them: the routine one first. */
export const REPORT_REASONS = ['max-age', 'chaos', 'tainted', 'stale-config', 'requested'] as const satisfies readonly RecycleReason[];

export const AGE_BUCKETS = ['<1d', '1-3d', '3-7d', '7-14d', '>=14d'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

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

/**
 * Share of instance-hours spent younger than max-age; `measured` is false when estimated from the instances
 * alive at report time and those Phoenix replaced in the week.
 */
export interface WithinMaxAge {
  readonly pct: number | null;
  readonly withinHours: number;
  readonly totalHours: number;
  readonly measured: boolean;
  /** Groups with a max-age in the figure (a group's own: 0 or 1): pct is null with groups here when none of them had an instance in the week. */
  readonly groupsWithMaxAge: number;
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
  /** The instance in the EC2 console; null when the report was built without a region (the simulator). */
  readonly url: string | null;
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

export type FindingKind =
  | 'quarantined'
  | 'will-breach'
  | 'bad-tags'
  | 'budget-too-small'
  | 'window-never-open'
  | 'recovery-failed'
  | 'max-left-raised'
  | 'dry-run-behind-max-age';

/** Something a person should look at, in words. */
export interface Finding {
  readonly group: string;
  readonly kind: FindingKind;
  readonly text: string;
}

/** Something about the whole fleet a person should look at: the recycler itself did not run. */
export interface FleetFinding {
  readonly kind: 'recycler-not-running' | 'version-blocked';
  readonly text: string;
}

/** A version no group launches until an operator releases it, and the groups that launch it now (all waiting). */
export interface BlockedVersionEntry {
  readonly version: string;
  readonly blockedAt: string;
  readonly why: string;
  readonly groups: readonly string[];
}

/** Recycler ticks the ledger recorded (blocked ones included): none in a week means its zeros are silence, not calm. */
export interface RecyclerTicks {
  /** Up to the report's time when the week is partial. */
  readonly thisWeek: number;
  /** None: the recycler did not run the week before, so there is nothing to compare with (a first week). */
  readonly previousWeek: number;
}

/**
 * One week of the trend. Counts follow the report's own rules over the records; `withinMaxAge` is the report's
 * own for its week, and for the weeks before an estimate (`measured` false) from the live groups' instances alive
 * at report time and those Phoenix replaced, at today's max-age: instances that went otherwise are missing from it.
 */
export interface TrendWeek {
  /** The ISO week (`2026-W46`); a simulated run's weeks are named by their first day (`2026-11-09`). */
  readonly week: string;
  readonly weekStart: string;
  /** The week had not ended at the report's time: its figures run to then. */
  readonly partial: boolean;
  /** Recycler ticks recorded: none means the week's zeros are silence, not calm. */
  readonly ticks: number;
  readonly recycled: ReasonCounts;
  readonly recycledTotal: number;
  /** Replacements that closed as failed in the week. */
  readonly failures: number;
  readonly withinMaxAge: WithinMaxAge;
  /** Instance-hours past max-age in the week, from the same hours as `withinMaxAge`. */
  readonly ageDebtHours: number;
}

/** The deadline model over the fleet at report time (see docs/deadlines.md): a prediction, not a measurement. */
export interface DeadlineSummary {
  /** Groups with max-age whose tags parse and are not disabled. */
  readonly groupsJudged: number;
  /** Those whose window and budget cannot retire every instance before max-age; each is a `will-breach` finding. */
  readonly infeasibleGroups: number;
  /** Instance-hours past max-age over the next 14 days, summed over the groups judged. */
  readonly ageDebtHours14d: number;
}

/** Groups read but not reported: disabled (`phoenix:enabled=false`) with no records this week or last. */
export interface LeftOut {
  readonly disabledGroups: number;
  readonly disabledInstances: number;
}

/** The dry-run groups' ages, apart from the live fleet's: Phoenix decides for them but never acts. */
export interface DryRunAges {
  readonly groups: number;
  readonly instances: number;
  readonly withinMaxAge: WithinMaxAge;
  readonly oldest: OldestInstance | null;
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
  /** For the fleet, over live groups only, as are its histogram and oldest instance. */
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
  /** The group's owner tag (deploy parameter ownerTagKey), or its last record's when the group is gone; null without one. */
  readonly owner: string | null;
  /** The group in the Auto Scaling console; null when the report was built without a region (the simulator). */
  readonly url: string | null;
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
  /** What the group and instance counts leave out; groups without a phoenix:enabled tag are never read. */
  readonly leftOut: LeftOut;
  readonly dryRun: DryRunAges;
}

export interface FailedReplacement {
  readonly group: string;
  readonly instanceId: string;
  readonly reason: RecycleReason;
  readonly startedAt: string;
  readonly detail: string | null;
  /** The instance in the EC2 console; null without a region. */
  readonly url: string | null;
}

/** The weekly recycle report: the documented shape of the JSON written to S3 (null, never absent, for "no value"). */
export interface WeeklyReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** The ISO week (`2026-W47`) when the caller named one. */
  readonly week: string | null;
  readonly weekStart: string;
  readonly weekEnd: string;
  readonly generatedAt: string;
  /** The week had not ended at generatedAt: its figures and days run to then. */
  readonly partial: boolean;
  /** The region the console links point to; null when there are no links (the simulator). */
  readonly region: string | null;
  /** Null when the caller did not count them. */
  readonly recyclerTicks: RecyclerTicks | null;
  /** The IANA time zone whose local midnights cut the week into `daily` days. */
  readonly timeZone: string;
  readonly fleet: FleetReport;
  /** Sorted by name. */
  readonly groups: readonly GroupReport[];
  readonly failedReplacements: readonly FailedReplacement[];
  /** Every group's findings, quarantines first. */
  readonly needsAttention: readonly Finding[];
  /** Findings about the fleet as a whole, shown before the groups' under needs attention: blocked versions first. */
  readonly fleetFindings: readonly FleetFinding[];
  /** Versions blocked when the report was made. */
  readonly blockedVersions: readonly BlockedVersionEntry[];
  /** The weeks up to the report's, oldest first; null when the caller passed no history. */
  readonly trend: readonly TrendWeek[] | null;
  /** Null when the caller passed no tick interval (the model needs one). */
  readonly deadlines: DeadlineSummary | null;
  /** The groups by owner, those that need attention first. */
  readonly owners: readonly OwnerSection[];
  /** Snoozes first seen in the week, in that order. */
  readonly snoozes: readonly SnoozeEntry[];
  /** Replacements people asked for (`phoenix recycle`) that started in the week, and when each was served. */
  readonly requests: readonly RequestEntry[];
}

export interface SnoozeEntry {
  readonly group: string;
  readonly seenAt: string;
  readonly until: string;
  /** From the first tick that saw it to its end. */
  readonly lengthSeconds: number;
  /** Who wrote the tag (the caller's ARN), from CloudTrail's record of the call; null when CloudTrail did not tell (no trail logging management events in the region). */
  readonly by: string | null;
  /** When that call was made; null with `by`. */
  readonly setAt: string | null;
}

export interface RequestEntry {
  readonly group: string;
  readonly instanceId: string;
  /** When the replacement started: the tick that took the request up. */
  readonly startedAt: string;
  /** When its instance was terminated; null when it was not (taken back, or still surging). */
  readonly servedAt: string | null;
  readonly outcome: string;
}

/** One owner's groups (`owner` null: groups without the owner tag), with what needs a person first. */
export interface OwnerSection {
  readonly owner: string | null;
  readonly groups: readonly string[];
  readonly recycled: number;
  readonly failures: number;
  readonly quarantined: number;
  /** Groups with an instance past max-age now. */
  readonly overdue: number;
  readonly findings: number;
}

export interface InstanceHours {
  readonly group: string;
  readonly withinMaxAgeHours: number;
  readonly totalHours: number;
}

/** One ISO week of the trend, oldest first. */
export interface TrendWeekBounds {
  readonly week: string;
  readonly start: Millis;
  readonly end: Millis;
}

/** What the trend is built from besides the report's own records and fleet. */
export interface TrendInput {
  /** Oldest first; the last is the report's week. */
  readonly weeks: readonly TrendWeekBounds[];
  /** Every recorded tick in the weeks: a week without one was not watched, and its zeros mean nothing. */
  readonly ticks: readonly TickSummary[];
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
  /** Recycler ticks recorded this week and the week before; without them the report cannot tell a silent week from a calm one. */
  readonly ticks?: RecyclerTicks;
  /** Where the fleet is, for console links; without it the report has none. */
  readonly region?: string;
  /** The weeks of the trend and their ticks; `records` must then cover every one of the weeks. */
  readonly trend?: TrendInput;
  /** Minutes between recycler ticks, as the deadline model needs; without it the report predicts no deadlines. */
  readonly tickInterval?: Millis;
  /** The group tag naming a group's owner (deploy parameter ownerTagKey); `team` when left out. */
  readonly ownerTagKey?: string;
  /** Snoozes first seen in the week. */
  readonly snoozes?: readonly SnoozeMark[];
  /** The versions blocked now; none when left out. */
  readonly versionBlocks?: readonly VersionBlock[];
  readonly now: Millis;
}
