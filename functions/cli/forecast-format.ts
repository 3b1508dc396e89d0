import { RECYCLE_REASONS } from '../core/model.js';
import type { Forecast, ForecastRecycle } from './forecast.js';

const count = (value: number, noun: string): string => `${value} ${noun}${value === 1 ? '' : 's'}`;

function dayLine(day: Forecast['perDay'][number]): string {
  const parts = RECYCLE_REASONS.filter((reason) => day.recycled[reason] > 0).map((reason) => `${reason} ${day.recycled[reason]}`);
  return `  ${day.day}  ${parts.length === 0 ? '-' : parts.join(', ')}`;
}

function recycleLine(recycle: ForecastRecycle): string {
  return `    ${recycle.at.slice(0, 16).replace('T', ' ')} UTC  ${recycle.instanceId ?? '(a replacement launched in the forecast)'}  ${recycle.reason}`;
}

/** The forecast for a person: totals, recycles per day, where max-age will not hold, then each group's first recycles. */
export function formatForecast(forecast: Forecast): string {
  const lines = [
    `Forecast ${forecast.from} to ${forecast.to} (${forecast.days} days), ${count(forecast.groups, 'opted-in group')}, ${count(forecast.instances, 'instance')}`,
    `It ${forecast.assumes}.`,
    '',
    `Replacements: ${forecast.replacements}${forecast.wouldRecycle > 0 ? ` (and ${forecast.wouldRecycle} that dry-run groups would make)` : ''}, extra instance-hours: ${forecast.extraInstanceHours}`,
    forecast.breaches.length === 0
      ? 'Max-age: holds in every group'
      : `Max-age: will be breached in ${count(forecast.breaches.length, 'group')}, ${forecast.ageDebtHours} instance-hours past max-age`,
    ...forecast.breaches.map((breach) => `  ${breach.group}: first breach ${breach.firstBreachAt.slice(0, 16).replace('T', ' ')} UTC`),
    '',
    'Recycled per day (UTC):',
    ...forecast.perDay.map(dayLine),
  ];
  const groups = Object.entries(forecast.firstPerGroup);
  if (groups.length > 0) lines.push('', 'First recycles per group:');
  for (const [group, recycles] of groups) lines.push(`  ${group}`, ...recycles.map(recycleLine));
  return lines.join('\n');
}

/** One stderr line each tenth of the forecast, for a fleet large enough to take more than a few seconds. */
export function progressLines(days: number, stderr: (text: string) => void): (done: number, total: number) => void {
  let shown = 0;
  return (done, total) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth <= shown) return;
    shown = tenth;
    stderr(`forecast: ${tenth * 10}% (${((done / total) * days).toFixed(1)} of ${days} days)`);
  };
}
