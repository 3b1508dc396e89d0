import type { WeeklyReport } from '../../core/report/schema.js';
import { TREND_HEADING, TREND_NOTE, trendDebt, trendRecycled, trendTicks, trendWeekLabel, trendWithin } from '../trend-text.js';
import type { Html } from './markup.js';
import { html } from './markup.js';

/** The weeks up to the report's as a plain table: the figures a person compares week by week. */
export function trendTable(report: WeeklyReport): Html {
  if (report.trend === null) return html``;
  const rows = report.trend.map(
    (week) =>
      html`<tr><th scope="row" class="nowrap">${trendWeekLabel(week)}</th><td>${trendRecycled(week)}</td><td class="num${week.failures > 0 ? ' bad' : ''}">${week.failures}</td><td class="num">${trendWithin(week)}</td><td class="num">${trendDebt(week)}</td><td class="num">${trendTicks(week)}</td></tr>`,
  );
  return html`<section><h2>${TREND_HEADING}</h2><div class="table-wrap"><table><thead><tr><th scope="col">Week</th><th scope="col">Recycled</th><th scope="col" class="num">Failed recoveries</th><th scope="col" class="num">Within max-age</th><th scope="col" class="num">Age debt</th><th scope="col" class="num">Recycler ticks</th></tr></thead><tbody>${rows}</tbody></table></div><p class="small muted">${TREND_NOTE}</p></section>`;
}
