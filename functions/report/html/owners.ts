import { formatDuration } from '../../core/policy/duration.js';
import type { WeeklyReport } from '../../core/report/schema.js';
import { type Html, html } from './markup.js';
import { utcMinute } from './text.js';

/** A section per owner, those that need a person first, as one list; nothing when no group has an owner. */
export function ownerList(report: WeeklyReport): Html {
  if (report.owners.every((section) => section.owner === null)) return html``;
  return html`<section><h2>By owner</h2><ul>${report.owners.map(
    (section) =>
      html`<li><strong>${section.owner ?? '(no owner tag)'}</strong>: ${section.groups.length} groups, ${section.recycled} recycled, ${section.failures} failed, ${section.quarantined} quarantined, ${section.overdue} past max-age, ${section.findings} to look at <span class="muted">(${section.groups.join(', ')})</span></li>`,
  )}</ul></section>`;
}

/** What people asked for in the week: snoozes (and who set each, when CloudTrail told) and recycle requests with when each was served. */
export function askedList(report: WeeklyReport): Html {
  if (report.snoozes.length === 0 && report.requests.length === 0) return html``;
  return html`<section><h2>Snoozes and requests</h2><ul>${report.snoozes.map(
    (snooze) =>
      html`<li><strong>${snooze.group}</strong> snoozed from ${utcMinute(snooze.seenAt)} until ${utcMinute(snooze.until)} (${formatDuration(snooze.lengthSeconds * 1000)}, ${snooze.by === null || snooze.setAt === null ? 'set by unknown: CloudTrail did not tell' : html`set by <code>${snooze.by}</code> at ${utcMinute(snooze.setAt)}`})</li>`,
  )}${report.requests.map(
    (request) =>
      html`<li><strong>${request.group}</strong> <code>${request.instanceId}</code> requested: taken up ${utcMinute(request.startedAt)}, ${request.servedAt === null ? `not served (${request.outcome})` : `served ${utcMinute(request.servedAt)}`}</li>`,
  )}</ul></section>`;
}
