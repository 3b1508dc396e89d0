import type { WeeklyReportPublished } from '../core/events.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import { DAY, MINUTE } from '../core/model.js';
import type { EventsPort, FleetPort, LedgerHistory, Logger, NotifierPort, ReportStorePort, StoredReport } from '../core/ports.js';
import { isoWeekBounds, shiftIsoWeek } from '../core/report/iso-week.js';
import type { TrendWeekBounds, WeeklyReport } from '../core/report/schema.js';
import type { TickSummary } from '../core/report/tick-summary.js';
import { countSkips, typicalTickInterval } from '../core/report/tick-summary.js';
import { TREND_WEEKS } from '../core/report/trend.js';
import { refuseFutureWeek, weeklyReport } from '../core/report/weekly.js';
import { renderHtml } from '../report/html/page.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown, renderOwnerMarkdown } from '../report/markdown.js';
import { SETTINGS } from './account-settings.js';

export interface ReportSources {
  readonly ledger: LedgerHistory;
  readonly fleet: Pick<FleetPort, 'listOptedInGroups'>;
}

export interface ReportPeriod {
  /** ISO week, `2026-W47`. */
  readonly week: string;
  /** IANA zone whose Monday midnights bound the week. */
  readonly timeZone: string;
  /** Where the fleet is, for the report's console links. */
  readonly region?: string;
  /** The group tag naming a group's owner; `team` when left out. */
  readonly ownerTagKey?: string;
}

/** A replacement that started this long before the previous week can still terminate inside it. */
const STRADDLE = DAY;

/** The trend's weeks in the report's zone, oldest first, the report's own last. */
function trendWeeks(week: string, timeZone: string): TrendWeekBounds[] {
  return Array.from({ length: TREND_WEEKS }, (_, index) => {
    const name = shiftIsoWeek(week, index - TREND_WEEKS + 1);
    return { week: name, ...isoWeekBounds(name, timeZone) };
  });
}

/**
 * The ledger over the trend's weeks: one call for records and one for ticks a week, the report's week and the one
 * before together as the report always read them. The adapter queries a day bucket per day within each call, so the
 * trend's cost grows with its days (about 57 Queries of each, in parallel), bounded by the 8 weeks.
 */
async function readHistory(ledger: LedgerHistory, weeks: readonly TrendWeekBounds[]): Promise<{ records: ReplacementRecord[]; ticks: TickSummary[] }> {
  const cuts = [...weeks.slice(0, -1).map((week) => week.start), weeks[weeks.length - 1]?.end ?? 0];
  const spans = cuts.slice(0, -1).map((from, index) => ({ from, to: cuts[index + 1] ?? from }));
  const [records, ticks] = await Promise.all([
    // The first read reaches back far enough for a replacement started before it to terminate inside it.
    Promise.all(spans.map(({ from, to }, index) => ledger.recordsBetween(index === 0 ? from - STRADDLE : from, to))),
    Promise.all(spans.map(({ from, to }) => ledger.ticksBetween(from, to))),
  ]);
  return { records: records.flat(), ticks: ticks.flat() };
}

/**
 * The report of a week that has begun (the current one marked partial), from the ledger's records and tick summaries
 * over the trend's weeks and the fleet as it is now; a week still to come is refused before anything is read.
 */
export async function buildWeeklyReport(sources: ReportSources, period: ReportPeriod, now: Millis): Promise<WeeklyReport> {
  const { start, end } = isoWeekBounds(period.week, period.timeZone);
  refuseFutureWeek(period.week, start, now);
  const previousWeekStart = isoWeekBounds(shiftIsoWeek(period.week, -1), period.timeZone).start;
  const weeks = trendWeeks(period.week, period.timeZone);
  const [{ records, ticks: history }, groups, snoozes, versionBlocks] = await Promise.all([
    readHistory(sources.ledger, weeks),
    sources.fleet.listOptedInGroups(),
    sources.ledger.snoozesBetween(start, end),
    sources.ledger.versionBlocks(),
  ]);
  const ticks = history.filter((tick) => tick.at >= previousWeekStart);
  return weeklyReport({
    weekStart: start,
    weekEnd: end,
    previousWeekStart,
    week: period.week,
    timeZone: period.timeZone,
    records,
    groups,
    skips: countSkips(ticks, start, end),
    ticks: { thisWeek: ticks.filter((tick) => tick.at >= start).length, previousWeek: ticks.filter((tick) => tick.at < start).length },
    ...(period.region === undefined ? {} : { region: period.region }),
    ...(period.ownerTagKey === undefined ? {} : { ownerTagKey: period.ownerTagKey }),
    snoozes,
    versionBlocks,
    trend: { weeks, ticks: history },
    tickInterval: typicalTickInterval(history) ?? SETTINGS.scheduleMinutes.default * MINUTE,
    now,
  });
}

export interface ReportDelivery {
  readonly store: ReportStorePort;
  readonly notifier: NotifierPort;
  readonly events: EventsPort;
  readonly logger: Logger;
}

export interface DeliveredReport {
  readonly html: StoredReport;
  readonly json: StoredReport;
}

function reportKey(week: string, extension: 'html' | 'json'): string {
  return `weekly/${week.slice(0, 4)}/phoenix-${week}.${extension}`;
}

function subject(report: WeeklyReport, week: string): string {
  const { fleet } = report;
  return `Phoenix weekly report ${week}: ${fleet.recycledTotal} recycled, ${fleet.failures} failed, ${fleet.quarantines.length} quarantined`;
}

/**
 * Stores the HTML and JSON (idempotent: a retry overwrites the same keys), then announces them: the
 * event first, the e-mail last, so a retried run sends at most one e-mail more than the failure did.
 */
export async function deliverWeeklyReport(deps: ReportDelivery, report: WeeklyReport, now: Millis): Promise<DeliveredReport> {
  const week = report.week;
  if (week === null) throw new RangeError('a delivered weekly report must name its ISO week');
  const [html, json] = await Promise.all([
    deps.store.put(reportKey(week, 'html'), renderHtml(report), 'text/html; charset=utf-8'),
    deps.store.put(reportKey(week, 'json'), renderJson(report), 'application/json'),
  ]);
  const event: WeeklyReportPublished = {
    detailType: 'Weekly Report',
    time: new Date(now).toISOString(),
    detail: {
      week,
      weekStart: report.weekStart,
      weekEnd: report.weekEnd,
      htmlUri: html.uri,
      jsonUri: json.uri,
      recycled: report.fleet.recycledTotal,
      failures: report.fleet.failures,
      quarantined: report.fleet.quarantines.length,
      needsAttention: report.needsAttention.length + report.fleetFindings.length,
    },
  };
  await deps.events.publish([event]);
  const links = `Full report: ${html.consoleUrl}\n(${html.uri}; JSON: ${json.uri})\n\n`;
  await deps.notifier.notify(subject(report, week), `${links}${renderMarkdown(report)}`, { scope: 'fleet' });
  // Then each owner's part on its own, for subscriptions whose filter policy names an owner.
  for (const section of report.owners) {
    if (section.owner === null) continue;
    const ownerSubject = `Phoenix ${week} for ${section.owner}: ${section.recycled} recycled, ${section.failures} failed, ${section.quarantined} quarantined`;
    await deps.notifier.notify(ownerSubject, `${links}${renderOwnerMarkdown(report, section)}`, { scope: 'owner', owner: section.owner });
  }
  deps.logger.info('weekly report delivered', { week, html: html.uri, json: json.uri });
  return { html, json };
}
