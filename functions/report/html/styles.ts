import { FAILURE_COLOUR, INK, MUTED } from './palette.js';

/** Inline: the page is one self-contained file, and its Content-Security-Policy allows no style sheet but its own. */
export const STYLE = `
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
.partial{color:#8a5a00;background:#fff4d6;border-color:#e9cf85;vertical-align:middle}
a{color:inherit;text-decoration:underline;text-decoration-color:#9aa4ae;text-underline-offset:2px}
footer{margin-top:32px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
@media print{@page{size:A4 landscape;margin:12mm}body{max-width:none;padding:0}.table-wrap{overflow:visible}table{font-size:11.5px}tr{break-inside:avoid}h2{break-after:avoid}}
`;
