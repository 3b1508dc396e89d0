import type { AgeHistogram, DayFigures, ReasonCounts } from '../../core/report/schema.js';
import { AGE_BUCKETS, REPORT_REASONS } from '../../core/report/schema.js';
import { dayMonth, plural, REASON_LABELS, weekday } from '../format.js';
import type { Html } from './markup.js';
import { html } from './markup.js';
import { AGE_COLOURS, FAILURE_COLOUR, GRID, INK, MUTED, REASON_COLOURS } from './palette.js';
import { byReasonParts, longDay } from './text.js';

/** SVG coordinates to a tenth of a pixel keep the file small and diffable. */
function px(value: number): number {
  return Math.round(value * 10) / 10;
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
export function dailyChart(days: readonly DayFigures[], totals: ReasonCounts, timeZone: string): Html {
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
export function ageChart(histogram: AgeHistogram): Html {
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
  const summary =
    total === 0 ? 'Instance ages now: no instances' : `Instance ages now: ${AGE_BUCKETS.map((bucket) => `${bucket} ${histogram[bucket]}`).join(', ')}`;
  return html`<svg class="chart chart-ages" role="img" aria-label="${summary}" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${summary}</title>${legend([{ colour: AGE_COLOURS[2] ?? MUTED, label: `${plural(total, 'instance')} of live groups Phoenix may recycle` }])}${axes(plot, 'instances')}${columns}${total === 0 ? emptyNote(plot, 'No instances') : html``}<text x="${px((PLOT_LEFT + CHART_WIDTH - PLOT_RIGHT) / 2)}" y="${baseline + 36}" text-anchor="middle" font-size="12" fill="${MUTED}">age now</text></svg>`;
}
