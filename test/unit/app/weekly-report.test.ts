import { describe, expect, it } from 'vitest';
import type { ReportDelivery } from '../../../functions/app/weekly-report.js';
import { buildWeeklyReport, deliverWeeklyReport } from '../../../functions/app/weekly-report.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import type { NotifierPort, ReportStorePort, StoredReport } from '../../../functions/core/ports.js';
import { MemoryLedger } from '../../../sim/memory-ledger.js';
import { REPORT_TIME } from '../../support/clock.js';
import { FakeEvents, RecordingLogger } from '../../support/fakes.js';
import { group, instance, record } from '../../support/fleet.js';

/** Monday 16 November 2026 00:00 UTC: the start of 2026-W47. */
const W47 = Date.UTC(2026, 10, 16);

class MemoryStore implements ReportStorePort {
  readonly objects = new Map<string, { body: string; contentType: string }>();
  error: Error | undefined;

  async put(key: string, body: string, contentType: string): Promise<StoredReport> {
    if (this.error !== undefined) throw this.error;
    this.objects.set(key, { body, contentType });
    return { uri: `s3://reports/${key}`, consoleUrl: `https://console.example/${key}` };
  }
}

class RecordingNotifier implements NotifierPort {
  readonly sent: { subject: string; message: string }[] = [];

  async notify(subject: string, message: string): Promise<void> {
    this.sent.push({ subject, message });
  }
}

async function ledgerWithWeek(): Promise<MemoryLedger> {
  const ledger = new MemoryLedger([
    record({ id: 'in-week', group: 'web', startedAt: W47 + DAY, terminatedAt: W47 + DAY, phase: 'verified', closedAt: W47 + DAY + 10 * MINUTE }),
    record({
      id: 'week-before',
      group: 'web',
      startedAt: W47 - 2 * DAY,
      terminatedAt: W47 - 2 * DAY,
      phase: 'verified',
      closedAt: W47 - 2 * DAY + 10 * MINUTE,
    }),
    record({ id: 'week-after', group: 'web', startedAt: W47 + 7 * DAY + HOUR, terminatedAt: W47 + 7 * DAY + HOUR, phase: 'terminating' }),
  ]);
  await ledger.recordTick({ at: W47 + HOUR, blocked: undefined, skips: { web: 'outside-window' } });
  await ledger.recordTick({ at: W47 + 2 * HOUR, blocked: undefined, skips: { web: 'outside-window' } });
  await ledger.recordTick({ at: W47 - HOUR, blocked: undefined, skips: { web: 'budget-spent' } });
  return ledger;
}

const fleet = { listOptedInGroups: async () => [group({ instances: [instance({ id: 'i-1', launchedAt: REPORT_TIME - 2 * DAY })], desired: 1 })] };

describe('buildWeeklyReport', () => {
  it('reports the named week: its records, its ticks skipped, and the week before for the change', async () => {
    const report = await buildWeeklyReport({ ledger: await ledgerWithWeek(), fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    expect(report).toMatchObject({ week: '2026-W47', weekStart: '2026-11-16T00:00:00.000Z', weekEnd: '2026-11-23T00:00:00.000Z' });
    expect(report.fleet.recycledTotal).toBe(1);
    expect(report.fleet.previousWeek.recycled).toBe(1);
    expect(report.fleet.skips).toEqual({ 'outside-window': 2 });
  });

  it("a week in a zone east of UTC starts at that zone's Monday midnight", async () => {
    const report = await buildWeeklyReport({ ledger: await ledgerWithWeek(), fleet }, { week: '2026-W47', timeZone: 'Asia/Tokyo' }, REPORT_TIME);
    expect(report.weekStart).toBe('2026-11-15T15:00:00.000Z');
    // The tick one hour before UTC Monday is inside Tokyo's week.
    expect(report.fleet.skips).toEqual({ 'budget-spent': 1, 'outside-window': 2 });
  });
});

function delivery(): ReportDelivery & { store: MemoryStore; notifier: RecordingNotifier; events: FakeEvents } {
  return { store: new MemoryStore(), notifier: new RecordingNotifier(), events: new FakeEvents(), logger: new RecordingLogger() };
}

describe('deliverWeeklyReport', () => {
  it("writes HTML and JSON under the week's key, emits Weekly Report, and e-mails the summary with the link", async () => {
    const report = await buildWeeklyReport({ ledger: await ledgerWithWeek(), fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    const deps = delivery();
    await deliverWeeklyReport(deps, report, REPORT_TIME);
    expect([...deps.store.objects.keys()]).toEqual(['weekly/2026/phoenix-2026-W47.html', 'weekly/2026/phoenix-2026-W47.json']);
    expect(deps.store.objects.get('weekly/2026/phoenix-2026-W47.html')?.body).toMatch(/^<!DOCTYPE html>/i);
    expect(JSON.parse(deps.store.objects.get('weekly/2026/phoenix-2026-W47.json')?.body ?? '{}')).toMatchObject({ schemaVersion: 2, week: '2026-W47' });
    expect(deps.events.published).toEqual([
      {
        detailType: 'Weekly Report',
        time: new Date(REPORT_TIME).toISOString(),
        detail: {
          week: '2026-W47',
          weekStart: '2026-11-16T00:00:00.000Z',
          weekEnd: '2026-11-23T00:00:00.000Z',
          htmlUri: 's3://reports/weekly/2026/phoenix-2026-W47.html',
          jsonUri: 's3://reports/weekly/2026/phoenix-2026-W47.json',
          recycled: 1,
          failures: 0,
          quarantined: 0,
          needsAttention: report.needsAttention.length,
        },
      },
    ]);
    expect(deps.notifier.sent).toHaveLength(1);
    expect(deps.notifier.sent[0]?.subject).toBe('Phoenix weekly report 2026-W47: 1 recycled, 0 failed, 0 quarantined');
    expect(deps.notifier.sent[0]?.message).toMatch(/^Full report: https:\/\/console\.example\/weekly\/2026\/phoenix-2026-W47\.html\n/);
  });

  it('a report that could not be stored is neither announced nor e-mailed', async () => {
    const report = await buildWeeklyReport({ ledger: await ledgerWithWeek(), fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    const deps = delivery();
    deps.store.error = new Error('AccessDenied');
    await expect(deliverWeeklyReport(deps, report, REPORT_TIME)).rejects.toThrow('AccessDenied');
    expect(deps.events.published).toEqual([]);
    expect(deps.notifier.sent).toEqual([]);
  });
});
