import { formatDuration } from '../../core/policy/duration.js';
import type {
  Finding,
  FindingKind,
  FleetFinding,
  GroupReport,
  GroupStatus,
  OldestInstance,
  ReasonCounts,
  RecoveryStats,
  WeeklyReport,
  WithinMaxAge,
} from '../../core/report/schema.js';
import { REPORT_REASONS } from '../../core/report/schema.js';
import {
  estimatesEverywhere,
  FIRST_WEEK,
  firstWeek,
  groupUrl,
  noShareText,
  percent,
  plural,
  REASON_LABELS,
  seconds,
  signed,
  signedSeconds,
  topSkipTexts,
  withinCell,
} from '../format.js';
import { attentionCount, deadlineAttention } from '../trend-text.js';
import { ageChart, dailyChart } from './charts.js';
import type { Content, Html } from './markup.js';
import { html } from './markup.js';
import { REASON_COLOURS } from './palette.js';
import { byReasonParts, utcMinute } from './text.js';

/** For table cells: lines break between reasons, never inside one (`stale config`). */
function byReasonCell(counts: ReasonCounts): Html {
  const parts = byReasonParts(counts);
  return parts.length === 0 ? html`–` : html`${parts.map((part, index) => html`${index === 0 ? '' : ', '}<span class="nowrap">${part}</span>`)}`;
}

function recoveryText(stats: RecoveryStats): string {
  return stats.verified === 0 ? '–' : `${seconds(stats.p50Seconds)} / ${seconds(stats.p95Seconds)} / ${seconds(stats.maxSeconds)}`;
}

function oldestAge(oldest: OldestInstance | null): string {
  return oldest === null ? '–' : formatDuration(oldest.ageSeconds * 1000);
}

/** A console link when the report has a region; the URL is escaped like any attribute value. */
function linked(content: Content, url: string | null): Content {
  return url === null ? content : html`<a href="${url}">${content}</a>`;
}

function oldestDetail(oldest: OldestInstance | null, population: string): Content {
  return oldest === null
    ? `no instances in ${population} groups`
    : html`${linked(html`<code>${oldest.instanceId}</code>`, oldest.url)}<br>in <span class="nowrap">${oldest.group}</span>`;
}

function withinDetail(within: WithinMaxAge, population: string): string {
  return within.pct === null ? noShareText(within, population) : `of instance-hours${within.measured ? '' : ' (estimated)'}`;
}

function tile(options: { label: string; value: Content; detail: Content; alert?: boolean; wide?: boolean }): Html {
  const classes = ['tile', options.alert === true ? 'alert' : '', options.wide === true ? 'wide' : ''].filter((name) => name !== '').join(' ');
  return html`<div class="${classes}"><div class="label">${options.label}</div><div class="value">${options.value}</div><div class="detail">${options.detail}</div></div>`;
}

function reasonChips(counts: ReasonCounts): Html {
  return html`${REPORT_REASONS.filter((reason) => counts[reason] > 0).map(
    (reason) =>
      html`<span class="chip"><span class="dot" style="background:${REASON_COLOURS[reason]}"></span>${counts[reason]} ${REASON_LABELS[reason]}</span>`,
  )}`;
}

function dryRunTile(report: WeeklyReport): Html {
  const { fleet } = report;
  const { dryRun } = fleet;
  const within = dryRun.withinMaxAge.pct === null ? noShareText(dryRun.withinMaxAge, 'dry-run') : `${percent(dryRun.withinMaxAge.pct)} within max-age`;
  return tile({
    label: `Dry run · ${plural(dryRun.groups, 'group')}`,
    value: fleet.wouldRecycleTotal,
    detail: html`would have been recycled<br>${reasonChips(fleet.wouldRecycle)}<br>${within} · oldest ${oldestAge(dryRun.oldest)}${
      dryRun.oldest === null ? '' : html` (${linked(dryRun.oldest.instanceId, dryRun.oldest.url)} in ${dryRun.oldest.group})`
    }`,
  });
}

export function headline(report: WeeklyReport): Html {
  const { fleet } = report;
  const first = firstWeek(report);
  const recovery = fleet.recovery;
  const p95Change = fleet.change.p95Seconds === null ? '' : ` · p95 ${signedSeconds(fleet.change.p95Seconds)} vs last week`;
  const within = fleet.withinMaxAge;
  const tiles = [
    tile({
      label: 'Recycled',
      value: fleet.recycledTotal,
      detail:
        fleet.recycledTotal === 0
          ? html`Nothing recycled this week · ${first ? FIRST_WEEK : `last week ${fleet.previousWeek.recycled}`}`
          : html`${reasonChips(fleet.recycled)}<br>${first ? FIRST_WEEK : `${signed(fleet.change.recycled)} vs last week (${fleet.previousWeek.recycled})`}`,
    }),
    tile({
      label: 'Recovery p50 · p95 · max',
      value: recovery.verified === 0 ? '–' : `${seconds(recovery.p50Seconds)} · ${seconds(recovery.p95Seconds)} · ${seconds(recovery.maxSeconds)}`,
      detail: recovery.verified === 0 ? 'no recovery verified this week' : `${recovery.verified} verified${p95Change}`,
      wide: true,
    }),
    tile({
      label: 'Failed replacements',
      value: fleet.failures,
      detail: first ? FIRST_WEEK : `${signed(fleet.change.failures)} vs last week (${fleet.previousWeek.failures})`,
      alert: fleet.failures > 0,
    }),
    tile({
      label: 'Quarantined now',
      value: fleet.quarantines.length,
      detail: fleet.quarantines.length === 0 ? 'no group' : fleet.quarantines.map((quarantine) => quarantine.group).join(', '),
      alert: fleet.quarantines.length > 0,
    }),
    tile({ label: 'Within max-age · live groups', value: within.pct === null ? '–' : percent(within.pct), detail: withinDetail(within, 'live') }),
    tile({ label: 'Oldest instance · live groups', value: oldestAge(fleet.oldest), detail: oldestDetail(fleet.oldest, 'live') }),
    ...(fleet.taintedResponse.count === 0
      ? []
      : [
          tile({
            label: 'Touch to replacement',
            value: `p50 ${seconds(fleet.taintedResponse.p50Seconds)}`,
            detail: `tainted by hand: max ${seconds(fleet.taintedResponse.maxSeconds)} · ${plural(fleet.taintedResponse.count, 'instance')}`,
          }),
        ]),
    ...(fleet.dryRun.groups === 0 && fleet.wouldRecycleTotal === 0 ? [] : [dryRunTile(report)]),
  ];
  return html`<section class="tiles" aria-label="Headline figures">${tiles}</section>`;
}

const KIND_LABELS: Readonly<Record<FindingKind, string>> = {
  quarantined: 'quarantined',
  'recovery-failed': 'recovery failed',
  'max-left-raised': 'max size left raised',
  'will-breach': 'will breach max-age',
  'bad-tags': 'bad tags',
  'budget-too-small': 'budget too small',
  'window-never-open': 'window never open',
  'dry-run-behind-max-age': 'dry run',
};
const SEVERE: ReadonlySet<FindingKind> = new Set(['quarantined', 'recovery-failed', 'will-breach']);

/** `quarantined: reason` after the label that already says quarantined reads as a stutter. */
function withoutKind(finding: Finding): string {
  const prefix = `${KIND_LABELS[finding.kind]}: `;
  return finding.text.startsWith(prefix) ? finding.text.slice(prefix.length) : finding.text;
}

function fleetItem(finding: FleetFinding): Html {
  const kind = finding.kind === 'version-blocked' ? 'version blocked' : 'not running';
  return html`<li class="severe"><span class="kind">${kind}</span> <strong>whole fleet</strong> ${finding.text}</li>`;
}

export function attention(report: WeeklyReport): Html {
  const findings = report.needsAttention;
  const count = attentionCount(report);
  const debt = deadlineAttention(report);
  const body =
    count === 0
      ? html`<p class="ok"><span aria-hidden="true">✓</span> Nothing needs attention.</p>`
      : html`<ul class="attention">${report.fleetFindings.map(fleetItem)}${
          debt === null ? '' : html`<li class="warn"><span class="kind">age debt</span> <strong>whole fleet</strong> ${debt}</li>`
        }${findings.map(
          (finding) =>
            html`<li class="${SEVERE.has(finding.kind) ? 'severe' : 'warn'}"><span class="kind">${KIND_LABELS[finding.kind]}</span> <strong>${linked(finding.group, groupUrl(report, finding.group))}</strong> ${withoutKind(finding)}</li>`,
        )}</ul>`;
  return html`<section><h2>Needs attention${count === 0 ? '' : html` <span class="count">${count}</span>`}</h2>${body}</section>`;
}

export function charts(report: WeeklyReport): Html {
  return html`<section class="charts"><figure>${dailyChart(report.fleet.daily, report.fleet.recycled, report.timeZone)}<figcaption>Recycled per day, by reason. Hover a bar for its numbers.</figcaption></figure><figure>${ageChart(report.fleet.ageHistogram)}<figcaption>Age now of the instances of live groups Phoenix may recycle (not exempt, not protected).</figcaption></figure></section>`;
}

const STATUS_LABELS: Readonly<Record<GroupStatus, string>> = { live: 'live', 'dry-run': 'dry run', disabled: 'disabled', 'bad-tags': 'bad tags', gone: 'gone' };

/** The findings, then why an idle group did nothing when no finding already says so. */
function noteTexts(group: GroupReport): string[] {
  const texts = group.findings.map((finding) => finding.text);
  if (group.idleReason !== null && !texts.includes(group.idleReason)) texts.push(group.idleReason);
  return texts;
}

function lines(texts: readonly string[]): Html {
  return texts.length === 0 ? html`–` : html`${texts.map((text, index) => html`${index === 0 ? '' : html`<br>`}<span class="nowrap">${text}</span>`)}`;
}

const GROUP_COLUMNS = 10;

interface RowStyle {
  readonly first: boolean;
  readonly allEstimated: boolean;
}

/** A row of figures, and under it, across the table, what a person should read about the group. */
function groupRow(group: GroupReport, style: RowStyle): Html {
  const recycled =
    group.recycledTotal === 0
      ? group.wouldRecycleTotal === 0
        ? '0'
        : html`<span class="muted">0 (would ${group.wouldRecycleTotal})</span>`
      : html`${group.recycledTotal}<div class="small">${byReasonCell(group.recycled)}</div>`;
  const within = withinCell(group.withinMaxAge, ' est.', style.allEstimated);
  const flag = group.findings.some((finding) => SEVERE.has(finding.kind)) ? 'severe' : group.findings.length > 0 ? 'warn' : '';
  const notes = noteTexts(group);
  const row = html`<tr class="${[flag, notes.length > 0 ? 'has-note' : ''].join(' ').trim()}"><th scope="row">${linked(group.group, group.url)}</th><td><span class="badge s-${group.status}">${STATUS_LABELS[group.status]}</span>${
    group.quarantine === null ? '' : html` <span class="badge s-quarantined">quarantined</span>`
  }</td><td class="num">${group.instances}</td><td class="num">${recycled}</td><td class="num">${style.first ? '–' : signed(group.change.recycled)}</td><td class="num">${recoveryText(group.recovery)}</td><td class="num${group.failures > 0 ? ' bad' : ''}">${group.failures}</td><td class="num">${within}</td><td class="num">${oldestAge(group.oldest)}</td><td class="small-cell">${lines(topSkipTexts(group))}</td></tr>`;
  if (notes.length === 0) return row;
  return html`${row}<tr class="note-row ${flag}"><td colspan="${GROUP_COLUMNS}">${notes.map((text) => html`<div>${text}</div>`)}</td></tr>`;
}

/** Dry-run groups have their own table below, with the columns that mean something for them. */
export function groupTable(report: WeeklyReport): Html {
  const groups = report.groups.filter((group) => group.status !== 'dry-run');
  const dryRun = report.groups.length - groups.length;
  const elsewhere = dryRun === 0 ? '' : html`<p class="small muted">${plural(dryRun, 'dry-run group')} in their own table below.</p>`;
  if (groups.length === 0) {
    return html`<section><h2>Groups</h2><p class="muted">No opted-in groups${dryRun === 0 ? '' : ' other than dry-run'}.</p>${elsewhere}</section>`;
  }
  const skips = Object.entries(report.fleet.skips).map(([reason, count]) => `${reason} ${count ?? 0}`);
  const style = { first: firstWeek(report), allEstimated: estimatesEverywhere(groups) };
  return html`<section><h2>Groups <span class="count">${groups.length}</span></h2>${
    skips.length === 0 ? '' : html`<p class="small muted">Skipped ticks, whole fleet: ${skips.join(' · ')}</p>`
  }${elsewhere}<div class="table-wrap"><table><thead><tr><th scope="col">Group</th><th scope="col">Status</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Recycled</th><th scope="col" class="num">vs last week${style.first ? html`<br><span class="small">(${FIRST_WEEK})</span>` : ''}</th><th scope="col" class="num">Recovery p50 / p95 / max</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Within max-age${style.allEstimated ? ' (est.)' : ''}</th><th scope="col" class="num">Oldest</th><th scope="col">Skipped ticks (top)</th></tr></thead><tbody>${groups.map((group) => groupRow(group, style))}</tbody></table></div></section>`;
}

export function failedTable(report: WeeklyReport): Html {
  if (report.failedReplacements.length === 0) return html`<section><h2>Failed replacements</h2><p class="muted">None this week.</p></section>`;
  return html`<section><h2>Failed replacements <span class="count bad">${report.failedReplacements.length}</span></h2><div class="table-wrap"><table><thead><tr><th scope="col">Started</th><th scope="col">Group</th><th scope="col">Instance</th><th scope="col">Reason</th><th scope="col">What happened</th></tr></thead><tbody>${report.failedReplacements.map(
    (failed) =>
      html`<tr><td class="nowrap">${utcMinute(failed.startedAt)}</td><th scope="row">${linked(failed.group, groupUrl(report, failed.group))}</th><td>${linked(html`<code>${failed.instanceId}</code>`, failed.url)}</td><td class="nowrap">${REASON_LABELS[failed.reason]}</td><td class="note">${failed.detail ?? '–'}</td></tr>`,
  )}</tbody></table></div></section>`;
}

export function dryRunTable(report: WeeklyReport): Html {
  const groups = report.groups.filter((group) => group.status === 'dry-run');
  if (groups.length === 0) return html``;
  const allEstimated = estimatesEverywhere(groups);
  return html`<section><h2>Dry-run groups <span class="count">${groups.length}</span></h2><p class="small muted">Decided every tick, never acted: what they would have recycled this week.</p><div class="table-wrap"><table><thead><tr><th scope="col">Group</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Would recycle</th><th scope="col">By reason</th><th scope="col" class="num">Within max-age${allEstimated ? ' (est.)' : ''}</th><th scope="col" class="num">Oldest</th><th scope="col">Why idle / findings</th></tr></thead><tbody>${groups.map(
    (group) =>
      html`<tr><th scope="row">${linked(group.group, group.url)}</th><td class="num">${group.instances}</td><td class="num">${group.wouldRecycleTotal}</td><td>${byReasonCell(group.wouldRecycle)}</td><td class="num">${withinCell(group.withinMaxAge, ' est.', allEstimated)}</td><td class="num">${oldestAge(group.oldest)}</td><td class="note">${noteTexts(group).join('; ') || '–'}</td></tr>`,
  )}</tbody></table></div></section>`;
}
