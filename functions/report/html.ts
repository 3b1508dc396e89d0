import { formatDuration } from '../core/duration.js';
import type { RecycleReason } from '../core/model.js';
import type { AgeHistogram, DayFigures, Finding, FindingKind, GroupReport, GroupStatus, OldestInstance, ReasonCounts, RecoveryStats, WeeklyReport } from '../core/report/schema.js';
import { AGE_BUCKETS, REPORT_REASONS } from '../core/report/schema.js';
import { dayMonth, oneLine, percent, plural, REASON_LABELS, seconds, signed, signedSeconds, topSkipTexts, weekday } from './format.js';

// ---- Escaping: every interpolation is text unless it was built as markup by `html` itself ----

/** Markup known to be safe: made only by the `html` tag below, so data can never become markup by accident. */
class Html {
  constructor(readonly text: string) {}
}

type Content = Html | string | number | readonly Content[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as it must appear inside an element or a quoted attribute, on one line and in its own order. */
export function escapeHtml(text: string): string {
  return oneLine(text).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

function render(content: Content): string {
  if (content instanceof Html) return content.text;
  if (typeof content === 'string') return escapeHtml(content);
  if (typeof content === 'number') return String(content);
  return content.map(render).join('');
}

function html(strings: TemplateStringsArray, ...values: readonly Content[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(text);
}

// ---- Colours: Okabe-Ito, told apart by most colour-blind readers; every colour also has a label ----

const REASON_COLOURS: Readonly<Record<RecycleReason, string>> = {
  'max-age': '#0072b2',
  chaos: '#e69f00',
  tainted: '#cc79a7',
  'stale-config': '#009e73',
};
const FAILURE_COLOUR = '#c0392b';
/** Light to dark as instances get older. */
const AGE_COLOURS: readonly string[] = ['#b3d4ea', '#7fb3d8', '#4a90c2', '#2a6ea6', '#174f80'];
const INK = '#1f2933';
const MUTED = '#5f6b7a';
const GRID = '#e3e7ec';

// ---- Small formatting ----

/** SVG coordinates to a tenth of a pixel keep the file small and diffable. */
function px(value: number): number {
  return Math.round(value * 10) / 10;
}

function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function longDay(date: string): string {
  return `${weekday(date)} ${dayMonth(date)}`;
}

function byReasonParts(counts: ReasonCounts): string[] {
  return REPORT_REASONS.filter((reason) => counts[reason] > 0).map((reason) => `${counts[reason]} ${REASON_LABELS[reason]}`);
}

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

/** Tick values stay narrow beside the rotated axis title: 15000 is 15k. */
function tickText(value: number): string {
  return value >= 1000 ? `${value / 1000}k` : String(value);
}

/** About four gridlines on whole numbers: steps of 1, 2 or 5 times a power of ten; never a zero-height scale. */
function niceScale(max: number): { top: number; step: number } {
  const target = Math.max(max, 4) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(target));
  const step = [1, 2, 5, 10].map((multiple) => multiple * magnitude).find((candidate) => candidate >= target) ?? 10 * magnitude;
  return { top: Math.ceil(Math.max(max, 4) / step) * step, step };
}

// ---- Charts ----

const CHART_WIDTH = 560;
const PLOT_LEFT = 46;
const PLOT_RIGHT = 12;

interface Plot {
  readonly top: number;
  readonly height: number;
  readonly scale: { readonly top: number; readonly step: number };
}

function yOf(plot: Plot, value: number): number {
  return plot.top + plot.height - (value / plot.scale.top) * plot.height;
}

/** Gridlines with their values, the baseline and the rotated y-axis title. */
function axes(plot: Plot, yTitle: string): Html {
  const ticks: number[] = [];
  for (let value = 0; value <= plot.scale.top; value += plot.scale.step) ticks.push(value);
  const middle = plot.top + plot.height / 2;
  return html`<g class="axis">${ticks.map(
    (value) =>
      html`<line x1="${PLOT_LEFT}" x2="${CHART_WIDTH - PLOT_RIGHT}" y1="${px(yOf(plot, value))}" y2="${px(yOf(plot, value))}" stroke="${value === 0 ? MUTED : GRID}" stroke-width="1"/><text x="${PLOT_LEFT - 6}" y="${px(yOf(plot, value) + 4)}" text-anchor="end" font-size="11" fill="${MUTED}">${tickText(value)}</text>`,
  )}<text transform="translate(14 ${px(middle)}) rotate(-90)" text-anchor="middle" font-size="12" fill="${MUTED}">${yTitle}</text></g>`;
}

function emptyNote(plot: Plot, text: string): Html {
  const x = (PLOT_LEFT + CHART_WIDTH - PLOT_RIGHT) / 2;
  return html`<text class="empty-note" x="${px(x)}" y="${px(plot.top + plot.height / 2)}" text-anchor="middle" font-size="14" fill="${MUTED}">${text}</text>`;
}

function legend(entries: readonly { readonly colour: string; readonly label: string; readonly marker?: 'cross' }[]): Html {
  let x = PLOT_LEFT;
  const items = entries.map((entry) => {
    const swatch =
      entry.marker === 'cross'
        ? html`<text x="${px(x + 6)}" y="21" text-anchor="middle" font-size="13" font-weight="700" fill="${entry.colour}">✕</text>`
        : html`<rect class="swatch" x="${px(x)}" y="10" width="12" height="12" rx="2" fill="${entry.colour}"/>`;
    const item = html`${swatch}<text x="${px(x + 17)}" y="20.5" font-size="12" fill="${INK}">${entry.label}</text>`;
    // Width by characters: the page uses system fonts, so there is no font metric to ask.
    x += 17 + entry.label.length * 6.6 + 18;
    return item;
  });
  return html`<g class="legend">${items}</g>`;
}

/** Recycled per day, stacked by reason, with the failures of each day marked under its label. */
function dailyChart(days: readonly DayFigures[], totals: ReasonCounts, timeZone: string): Html {
  const height = 320;
  const max = Math.max(0, ...days.map((day) => day.recycledTotal));
  const plot: Plot = { top: 40, height: height - 40 - 74, scale: niceScale(max) };
  const slot = (CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT) / Math.max(1, days.length);
  const barWidth = Math.min(slot * 0.62, 48);
  const labelEvery = Math.ceil(days.length / 14);
  const baseline = plot.top + plot.height;
  const anyFailures = days.some((day) => day.failures > 0);

  const columns = days.map((day, index) => {
    const centre = PLOT_LEFT + slot * index + slot / 2;
    const x = centre - barWidth / 2;
    let stacked = 0;
    const segments = REPORT_REASONS.filter((reason) => day.recycled[reason] > 0).map((reason) => {
      const count = day.recycled[reason];
      const y = yOf(plot, stacked + count);
      const segment = html`<rect x="${px(x)}" y="${px(y)}" width="${px(barWidth)}" height="${px(yOf(plot, stacked) - y)}" fill="${REASON_COLOURS[reason]}"><title>${longDay(day.date)}: ${count} ${REASON_LABELS[reason]}</title></rect>`;
      stacked += count;
      return segment;
    });
    const breakdown = byReasonParts(day.recycled).join(', ');
    const bar =
      day.recycledTotal === 0
        ? html``
        : html`<g class="bar" data-date="${day.date}"><title>${longDay(day.date)}: ${plural(day.recycledTotal, 'instance')} recycled (${breakdown})</title>${segments}</g>`;
    const total = html`<text x="${px(centre)}" y="${px(yOf(plot, day.recycledTotal) - 5)}" text-anchor="middle" font-size="11" font-weight="600" fill="${day.recycledTotal === 0 ? MUTED : INK}">${day.recycledTotal}</text>`;
    const labelled = index % labelEvery === 0;
    const label = labelled
      ? html`<text x="${px(centre)}" y="${baseline + 16}" text-anchor="middle" font-size="12" fill="${INK}">${weekday(day.date)}</text><text x="${px(centre)}" y="${baseline + 30}" text-anchor="middle" font-size="11" fill="${MUTED}">${dayMonth(day.date)}</text>`
      : html``;
    const failures =
      day.failures === 0
        ? html``
        : html`<text class="failures" x="${px(centre)}" y="${baseline + 47}" text-anchor="middle" font-size="11" font-weight="700" fill="${FAILURE_COLOUR}">✕ ${day.failures} failed<title>${longDay(day.date)}: ${plural(day.failures, 'replacement')} failed</title></text>`;
    return html`${bar}${total}${label}${failures}`;
  });

  const legendEntries = [
    ...REPORT_REASONS.map((reason) => ({ colour: REASON_COLOURS[reason], label: `${REASON_LABELS[reason]} ${totals[reason]}` })),
    ...(anyFailures ? [{ colour: FAILURE_COLOUR, label: 'failed', marker: 'cross' as const }] : []),
  ];
  const summary =
    max === 0
      ? `Instances recycled per day (${timeZone}): nothing recycled this week`
      : `Instances recycled per day (${timeZone}), stacked by reason: ${days.map((day) => `${longDay(day.date)} ${day.recycledTotal}`).join(', ')}`;
  return html`<svg class="chart chart-daily" role="img" aria-label="${summary}" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${summary}</title>${legend(legendEntries)}${axes(plot, 'instances recycled')}${columns}${max === 0 ? emptyNote(plot, 'Nothing recycled this week') : html``}<text x="${px((PLOT_LEFT + CHART_WIDTH - PLOT_RIGHT) / 2)}" y="${height - 6}" text-anchor="middle" font-size="12" fill="${MUTED}">day (${timeZone})</text></svg>`;
}

/** Instances by age now, one bar per bucket. */
function ageChart(histogram: AgeHistogram): Html {
  const height = 320;
  const max = Math.max(0, ...AGE_BUCKETS.map((bucket) => histogram[bucket]));
  const plot: Plot = { top: 40, height: height - 40 - 74, scale: niceScale(max) };
  const slot = (CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT) / AGE_BUCKETS.length;
  const barWidth = Math.min(slot * 0.62, 64);
  const baseline = plot.top + plot.height;
  const total = AGE_BUCKETS.reduce((sum, bucket) => sum + histogram[bucket], 0);

  const columns = AGE_BUCKETS.map((bucket, index) => {
    const count = histogram[bucket];
    const centre = PLOT_LEFT + slot * index + slot / 2;
    const y = yOf(plot, count);
    const bar =
      count === 0
        ? html``
        : html`<rect class="bar" x="${px(centre - barWidth / 2)}" y="${px(y)}" width="${px(barWidth)}" height="${px(baseline - y)}" fill="${AGE_COLOURS[index] ?? MUTED}"><title>${bucket}: ${plural(count, 'instance')}</title></rect>`;
    return html`${bar}<text x="${px(centre)}" y="${px(y - 5)}" text-anchor="middle" font-size="11" font-weight="600" fill="${count === 0 ? MUTED : INK}">${count}</text><text x="${px(centre)}" y="${baseline + 16}" text-anchor="middle" font-size="12" fill="${INK}">${bucket}</text>`;
  });
  const summary = total === 0 ? 'Instance ages now: no instances' : `Instance ages now: ${AGE_BUCKETS.map((bucket) => `${bucket} ${histogram[bucket]}`).join(', ')}`;
  return html`<svg class="chart chart-ages" role="img" aria-label="${summary}" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${summary}</title>${legend([{ colour: AGE_COLOURS[2] ?? MUTED, label: `${plural(total, 'instance')} Phoenix may recycle` }])}${axes(plot, 'instances')}${columns}${total === 0 ? emptyNote(plot, 'No instances') : html``}<text x="${px((PLOT_LEFT + CHART_WIDTH - PLOT_RIGHT) / 2)}" y="${baseline + 36}" text-anchor="middle" font-size="12" fill="${MUTED}">age now</text></svg>`;
}

// ---- Sections ----

function tile(options: { label: string; value: Content; detail: Content; alert?: boolean; wide?: boolean }): Html {
  const classes = ['tile', options.alert === true ? 'alert' : '', options.wide === true ? 'wide' : ''].filter((name) => name !== '').join(' ');
  return html`<div class="${classes}"><div class="label">${options.label}</div><div class="value">${options.value}</div><div class="detail">${options.detail}</div></div>`;
}

function reasonChips(counts: ReasonCounts): Html {
  return html`${REPORT_REASONS.filter((reason) => counts[reason] > 0).map(
    (reason) => html`<span class="chip"><span class="dot" style="background:${REASON_COLOURS[reason]}"></span>${counts[reason]} ${REASON_LABELS[reason]}</span>`,
  )}`;
}

function headline(report: WeeklyReport): Html {
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
    tile({ label: 'Failed replacements', value: fleet.failures, detail: `${signed(fleet.change.failures)} vs last week (${fleet.previousWeek.failures})`, alert: fleet.failures > 0 }),
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

function attention(findings: readonly Finding[]): Html {
  const body =
    findings.length === 0
      ? html`<p class="ok"><span aria-hidden="true">✓</span> Nothing needs attention.</p>`
      : html`<ul class="attention">${findings.map(
          (finding) =>
            html`<li class="${SEVERE.has(finding.kind) ? 'severe' : 'warn'}"><span class="kind">${KIND_LABELS[finding.kind]}</span> <strong>${finding.group}</strong> ${withoutKind(finding)}</li>`,
        )}</ul>`;
  return html`<section><h2>Needs attention${findings.length === 0 ? '' : html` <span class="count">${findings.length}</span>`}</h2>${body}</section>`;
}

function charts(report: WeeklyReport): Html {
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

function groupTable(report: WeeklyReport): Html {
  if (report.groups.length === 0) return html`<section><h2>Groups</h2><p class="muted">No opted-in groups.</p></section>`;
  const skips = Object.entries(report.fleet.skips).map(([reason, count]) => `${reason} ${count ?? 0}`);
  return html`<section><h2>Groups <span class="count">${report.groups.length}</span></h2>${
    skips.length === 0 ? '' : html`<p class="small muted">Skipped ticks, whole fleet: ${skips.join(' · ')}</p>`
  }<div class="table-wrap"><table><thead><tr><th scope="col">Group</th><th scope="col">Status</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Recycled</th><th scope="col" class="num">vs last week</th><th scope="col" class="num">Recovery p50 / p95 / max</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Within max-age</th><th scope="col" class="num">Oldest</th><th scope="col">Skipped ticks (top)</th></tr></thead><tbody>${report.groups.map(groupRow)}</tbody></table></div></section>`;
}

function failedTable(report: WeeklyReport): Html {
  if (report.failedReplacements.length === 0) return html`<section><h2>Failed replacements</h2><p class="muted">None this week.</p></section>`;
  return html`<section><h2>Failed replacements <span class="count bad">${report.failedReplacements.length}</span></h2><div class="table-wrap"><table><thead><tr><th scope="col">Started</th><th scope="col">Group</th><th scope="col">Instance</th><th scope="col">Reason</th><th scope="col">What happened</th></tr></thead><tbody>${report.failedReplacements.map(
    (failed) =>
      html`<tr><td class="nowrap">${utcMinute(failed.startedAt)}</td><th scope="row">${failed.group}</th><td><code>${failed.instanceId}</code></td><td class="nowrap">${REASON_LABELS[failed.reason]}</td><td class="note">${failed.detail ?? '–'}</td></tr>`,
  )}</tbody></table></div></section>`;
}

function dryRunTable(report: WeeklyReport): Html {
  const groups = report.groups.filter((group) => group.status === 'dry-run');
  if (groups.length === 0) return html``;
  return html`<section><h2>Dry-run groups <span class="count">${groups.length}</span></h2><p class="small muted">Decided every tick, never acted: what they would have recycled this week.</p><div class="table-wrap"><table><thead><tr><th scope="col">Group</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Would recycle</th><th scope="col">By reason</th><th scope="col" class="num">Within max-age</th><th scope="col" class="num">Oldest</th><th scope="col">Why idle / findings</th></tr></thead><tbody>${groups.map(
    (group) =>
      html`<tr><th scope="row">${group.group}</th><td class="num">${group.instances}</td><td class="num">${group.wouldRecycleTotal}</td><td>${byReasonCell(group.wouldRecycle)}</td><td class="num">${group.withinMaxAge.pct === null ? '–' : percent(group.withinMaxAge.pct)}</td><td class="num">${oldestAge(group.oldest)}</td><td class="note">${noteTexts(group).join('; ') || '–'}</td></tr>`,
  )}</tbody></table></div></section>`;
}

const STYLE = `
:root{--ink:${INK};--muted:${MUTED};--line:#d9dee4;--soft:#f4f6f8;--bad:${FAILURE_COLOUR};--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1180px;padding:24px 28px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
header{border-bottom:3px solid var(--ink);padding-bottom:10px;margin-bottom:18px}
h1{font-size:24px;margin:0 0 4px;letter-spacing:-.01em}
h1 .week{color:var(--muted);font-weight:500}
h2{font-size:17px;margin:28px 0 10px}
.sub,.muted{color:var(--muted)}
.small{font-size:.92em}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}
.count{display:inline-block;min-width:22px;padding:0 7px;border-radius:11px;background:var(--soft);border:1px solid var(--line);font-size:12px;text-align:center;vertical-align:2px}
.count.bad{background:#fdecea;border-color:#f2b8b1;color:var(--bad)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.tile{border:1px solid var(--line);border-top:4px solid #8a96a3;border-radius:8px;padding:10px 14px 12px;break-inside:avoid}
.tile.wide{grid-column:span 2}
.tile.alert{border-top-color:var(--bad);background:#fff8f7}
.tile .label{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.tile .value{font-size:28px;font-weight:700;line-height:1.2;margin:4px 0 2px;font-variant-numeric:tabular-nums}
.tile.wide .value{font-size:24px}
.tile.alert .value{color:var(--bad)}
.tile .detail{font-size:12.5px;color:var(--muted);overflow-wrap:anywhere}
.tile code{white-space:normal}
.chip{display:inline-block;margin:2px 8px 2px 0;color:var(--ink)}
.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.ok{padding:10px 14px;border-radius:8px;background:#eaf6ee;color:#17603a;font-weight:600;margin:0}
.attention{list-style:none;margin:0;padding:0}
.attention li{border-left:4px solid var(--warn);background:#fff8e6;padding:8px 12px;margin:0 0 6px;border-radius:0 6px 6px 0}
.attention li.severe{border-left-color:var(--bad);background:#fdf0ee}
.attention .kind{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;color:var(--warn);margin-right:6px}
.attention .severe .kind{color:var(--bad)}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin-top:24px}
figure{flex:1 1 420px;margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 10px 6px;break-inside:avoid}
figcaption{font-size:12px;color:var(--muted);padding:2px 6px}
svg.chart{display:block;width:100%;max-width:640px;height:auto;margin:0 auto}
svg text{font-family:inherit}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 7px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--soft);font-size:12px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
tbody th{font-weight:600;min-width:10em;overflow-wrap:anywhere}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}
td.bad{color:var(--bad);font-weight:700}
tr.severe>:first-child{box-shadow:inset 4px 0 0 var(--bad)}
tr.warn>:first-child{box-shadow:inset 4px 0 0 #d4a72c}
tr.has-note>*{border-bottom:0}
tr.note-row td{padding:0 8px 8px 22px;font-size:.96em;color:var(--ink)}
tr.note-row.severe td{color:#8f2a20}
td.small-cell,td.note{font-size:.96em}
td .small{color:var(--muted);white-space:normal}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:11.5px;font-weight:600;border:1px solid;white-space:nowrap}
.s-live{color:#17603a;background:#eaf6ee;border-color:#a7d7b8}
.s-dry-run{color:#1d4f91;background:#eaf1fb;border-color:#b4cbec}
.s-disabled,.s-gone{color:#4b5563;background:#f1f3f5;border-color:#cfd5db}
.s-bad-tags{color:#8a5a00;background:#fff4d6;border-color:#e9cf85}
.s-quarantined{color:#a32d22;background:#fdecea;border-color:#f2b8b1}
footer{margin-top:32px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
@media print{@page{size:A4 landscape;margin:12mm}body{max-width:none;padding:0}.table-wrap{overflow:visible}table{font-size:11.5px}tr{break-inside:avoid}h2{break-after:avoid}}
`;

/** The weekly report as one self-contained HTML page: no scripts, no fetches, every data text escaped. */
export function renderHtml(report: WeeklyReport): string {
  const first = report.fleet.daily[0]?.date;
  const last = report.fleet.daily[report.fleet.daily.length - 1]?.date;
  const span = first === undefined || last === undefined ? `${report.weekStart} to ${report.weekEnd}` : `${longDay(first)} to ${longDay(last)} ${last.slice(0, 4)}`;
  const title = `Phoenix weekly recycle report: ${report.week ?? span}`;
  const { fleet } = report;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="color-scheme" content="light">
<title>${title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><h1>Phoenix weekly recycle report ${report.week === null ? '' : html`<span class="week">${report.week}</span>`}</h1><div class="sub">${span} · days in ${report.timeZone} · ${plural(fleet.groups, 'group')} · ${plural(fleet.instances, 'instance')}</div></header>
<main>
${headline(report)}
${attention(report.needsAttention)}
${charts(report)}
${groupTable(report)}
${failedTable(report)}
${dryRunTable(report)}
</main>
<footer>Week ${utcMinute(report.weekStart)} to ${utcMinute(report.weekEnd)} (end exclusive) · generated ${utcMinute(report.generatedAt)} · report schema v${report.schemaVersion} · the same figures are in the JSON report.</footer>
</body>
</html>
`;
  return page.text;
}
