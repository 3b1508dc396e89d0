import type { WeeklyReport } from '../../core/report/schema.js';
import { leftOutText, plural } from '../format.js';
import { html, styleElement } from './markup.js';
import { askedList, ownerList } from './owners.js';
import { attention, charts, dryRunTable, failedTable, groupTable, headline } from './sections.js';
import { STYLE } from './styles.js';
import { longDay, utcMinute } from './text.js';
import { trendTable } from './trend.js';

/** The weekly report as one self-contained HTML page: no scripts, no fetches, every data text escaped. */
export function renderHtml(report: WeeklyReport): string {
  const first = report.fleet.daily[0]?.date;
  const last = report.fleet.daily[report.fleet.daily.length - 1]?.date;
  const span =
    first === undefined || last === undefined ? `${report.weekStart} to ${report.weekEnd}` : `${longDay(first)} to ${longDay(last)} ${last.slice(0, 4)}`;
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
${styleElement(STYLE)}
</head>
<body>
<header><h1>Phoenix weekly recycle report ${report.week === null ? '' : html`<span class="week">${report.week}</span>`}${
    report.partial ? html` <span class="badge partial">partial week</span>` : ''
  }</h1><div class="sub">${span} · days in ${report.timeZone} · ${plural(fleet.groups, 'group')} · ${plural(fleet.instances, 'instance')} (${leftOutText(report)})${
    report.partial ? html`<br>The week has not ended: figures run to ${utcMinute(report.generatedAt)}.` : ''
  }</div></header>
<main>
${headline(report)}
${attention(report)}
${charts(report)}
${trendTable(report)}
${groupTable(report)}
${ownerList(report)}
${failedTable(report)}
${askedList(report)}
${dryRunTable(report)}
</main>
<footer>Week ${utcMinute(report.weekStart)} to ${utcMinute(report.weekEnd)} (end exclusive) · generated ${utcMinute(report.generatedAt)} · report schema v${report.schemaVersion} · the same figures are in the JSON report.</footer>
</body>
</html>
`;
  return page.text;
}
