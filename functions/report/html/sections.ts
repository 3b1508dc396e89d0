import { formatDuration } from '../../core/policy/duration.js';
import type { Finding, FindingKind, GroupReport, GroupStatus, OldestInstance, ReasonCounts, RecoveryStats, WeeklyReport } from '../../core/report/schema.js';
import { REPORT_REASONS } from '../../core/report/schema.js';
import { percent, plural, REASON_LABELS, seconds, signed, signedSeconds, topSkipTexts } from '../format.js';
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

export function headline(report: WeeklyReport): Html {
  const { fleet } = report;
  const recovery = fleet.recovery;
  const p95Change = fleet.change.p95Seconds === null ? '' : ` · p95 ${signedSeconds(fleet.change.p95Seconds)} vs last week`;
  const within = fleet.withinMaxAge;
  const tiles = [
    tile({
      label: 'Recycled',
      value: fleet.recycledTotal,
      detail:
        fleet.recycledTotal === 0
          ? html`Nothing recycled this week · last week ${fleet.previousWeek.recycled}`
          : html`${reasonChips(fleet.recycled)}<br>${signed(fleet.change.recycled)} vs last week (${fleet.previousWeek.recycled})`,
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
      detail: `${signed(fleet.change.failures)} vs last week (${fleet.previousWeek.failures})`,
      alert: fleet.failures > 0,
    }),
    tile({
      label: 'Quarantined now',
      value: fleet.quarantines.length,
      detail: fleet.quarantines.length === 0 ? 'no group' : fleet.quarantines.map((quarantine) => quarantine.group).join(', '),
      alert: fleet.quarantines.length > 0,
    }),
    tile({
      label: 'Within max-age',
      value: within.pct === null ? '–' : percent(within.pct),
      detail: within.pct === null ? 'no live group has a max-age' : `of instance-hours${within.measured ? '' : ' (estimated from current ages)'}`,
    }),
    tile({
      label: 'Oldest instance',
      value: oldestAge(fleet.oldest),
      detail: fleet.oldest === null ? 'no instances' : html`<code>${fleet.oldest.instanceId}</code><br>in <span class="nowrap">${fleet.oldest.group}</span>`,
    }),
    ...(fleet.taintedResponse.count === 0
      ? []
      : [
          tile({
            label: 'Touch to replacement',
            value: `p50 ${seconds(fleet.taintedResponse.p50Seconds)}`,
            detail: `tainted by hand: max ${seconds(fleet.taintedResponse.maxSeconds)} · ${plural(fleet.taintedResponse.count, 'instance')}`,
          }),
        ]),
    ...(fleet.wouldRecycleTotal === 0
      ? []
      : [tile({ label: 'Dry run', value: fleet.wouldRecycleTotal, detail: html`would have been recycled<br>${reasonChips(fleet.wouldRecycle)}` })]),
  ];
  return html`<section class="tiles" aria-label="Headline figures">${tiles}</section>`;
}

const KIND_LABELS: Readonly<Record<FindingKind, string>> = {
  quarantined: 'quarantined',
  'recovery-failed': 'recovery failed',
  'bad-tags': 'bad tags',
  'budget-too-small': 'budget too small',
  'window-never-open': 'window never open',
};
const SEVERE: ReadonlySet<FindingKind> = new Set(['quarantined', 'recovery-failed']);

/** `quarantined: reason` after the label that already says quarantined reads as a stutter. */
function withoutKind(finding: Finding): string {
  const prefix = `${KIND_LABELS[finding.kind]}: `;
  return finding.text.startsWith(prefix) ? finding.text.slice(prefix.length) : finding.text;
}

export function attention(findings: readonly Finding[]): Html {
  const body =
    findings.length === 0
      ? html`<p class="ok"><span aria-hidden="true">✓</span> Nothing needs attention.</p>`
      : html`<ul class="attention">${findings.map(
          (finding) =>
            html`<li class="${SEVERE.has(finding.kind) ? 'severe' : 'warn'}"><span class="kind">${KIND_LABELS[finding.kind]}</span> <strong>${finding.group}</strong> ${withoutKind(finding)}</li>`,
        )}</ul>`;
  return html`<section><h2>Needs attention${findings.length === 0 ? '' : html` <span class="count">${findings.length}</span>`}</h2>${body}</section>`;
}

export function charts(report: WeeklyReport): Html {
  return html`<section class="charts"><figure>${dailyChart(report.fleet.daily, report.fleet.recycled, report.timeZone)}<figcaption>Recycled per day, by reason. Hover a bar for its numbers.</figcaption></figure><figure>${ageChart(report.fleet.ageHistogram)}<figcaption>Age now of the instances Phoenix may recycle (not exempt, not protected).</figcaption></figure></section>`;
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

/** A row of figures, and under it, across the table, what a person should read about the group. */
function groupRow(group: GroupReport): Html {
  const recycled =
    group.recycledTotal === 0
      ? group.wouldRecycleTotal === 0
        ? '0'
        : html`<span class="muted">0 (would ${group.wouldRecycleTotal})</span>`
      : html`${group.recycledTotal}<div class="small">${byReasonCell(group.recycled)}</div>`;
  const within = group.withinMaxAge.pct === null ? '–' : `${percent(group.withinMaxAge.pct)}${group.withinMaxAge.measured ? '' : ' est.'}`;
  const flag = group.findings.some((finding) => SEVERE.has(finding.kind)) ? 'severe' : group.findings.length > 0 ? 'warn' : '';
  const notes = noteTexts(group);
  const row = html`<tr class="${[flag, notes.length > 0 ? 'has-note' : ''].join(' ').trim()}"><th scope="row">${group.group}</th><td><span class="badge s-${group.status}">${STATUS_LABELS[group.status]}</span>${
    group.quarantine === null ? '' : html` <span class="badge s-quarantined">quarantined</span>`
  }</td><td class="num">${group.instances}</td><td class="num">${recycled}</td><td class="num">${signed(group.change.recycled)}</td><td class="num">${recoveryText(group.recovery)}</td><td class="num${group.failures > 0 ? ' bad' : ''}">${group.failures}</td><td class="num">${within}</td><td class="num">${oldestAge(group.oldest)}</td><td class="small-cell">${lines(topSkipTexts(group))}</td></tr>`;
  if (notes.length === 0) return row;
  return html`${row}<tr class="note-row ${flag}"><td colspan="${GROUP_COLUMNS}">${notes.map((text) => html`<div>${text}</div>`)}</td></tr>`;
}

export function groupTable(report: WeeklyReport): Html {
  if (report.groups.length === 0) return html`<section><h2>Groups</h2><p class="muted">No opted-in groups.</p></section>`;
  const skips = Object.entries(report.fleet.skips).map(([reason, count]) => `${reason} ${count ?? 0}`);
  return html`<section><h2>Groups <span class="count">${report.groups.length}</span></h2>${
    skips.length === 0 ? '' : html`<p class="small muted">Skipped ticks, whole fleet: ${skips.join(' · ')}</p>`
  }<div class="table-wrap"><table><thead><tr><th scope="col">Group</th><th scope="col">Status</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Recycled</th><th scope="col" class="num">vs last week</th><th scope="col" class="num">Recovery p50 / p95 / max</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Within max-age</th><th scope="col" class="num">Oldest</th><th scope="col">Skipped ticks (top)</th></tr></thead><tbody>${report.groups.map(groupRow)}</tbody></table></div></section>`;
}

export function failedTable(report: WeeklyReport): Html {
  if (report.failedReplacements.length === 0) return html`<section><h2>Failed replacements</h2><p class="muted">None this week.</p></section>`;
  return html`<section><h2>Failed replacements <span class="count bad">${report.failedReplacements.length}</span></h2><div class="table-wrap"><table><thead><tr><th scope="col">Started</th><th scope="col">Group</th><th scope="col">Instance</th><th scope="col">Reason</th><th scope="col">What happened</th></tr></thead><tbody>${report.failedReplacements.map(
    (failed) =>
      html`<tr><td class="nowrap">${utcMinute(failed.startedAt)}</td><th scope="row">${failed.group}</th><td><code>${failed.instanceId}</code></td><td class="nowrap">${REASON_LABELS[failed.reason]}</td><td class="note">${failed.detail ?? '–'}</td></tr>`,
  )}</tbody></table></div></section>`;
}

export function dryRunTable(report: WeeklyReport): Html {
  const groups = report.groups.filter((group) => group.status === 'dry-run');
  if (groups.length === 0) return html``;
  return html`<section><h2>Dry-run groups <span class="count">${groups.length}</span></h2><p class="small muted">Decided every tick, never acted: what they would have recycled this week.</p><div class="table-wrap"><table><thead><tr><th scope="col">Group</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Would recycle</th><th scope="col">By reason</th><th scope="col" class="num">Within max-age</th><th scope="col" class="num">Oldest</th><th scope="col">Why idle / findings</th></tr></thead><tbody>${groups.map(
    (group) =>
      html`<tr><th scope="row">${group.group}</th><td class="num">${group.instances}</td><td class="num">${group.wouldRecycleTotal}</td><td>${byReasonCell(group.wouldRecycle)}</td><td class="num">${group.withinMaxAge.pct === null ? '–' : percent(group.withinMaxAge.pct)}</td><td class="num">${oldestAge(group.oldest)}</td><td class="note">${noteTexts(group).join('; ') || '–'}</td></tr>`,
  )}</tbody></table></div></section>`;
}
