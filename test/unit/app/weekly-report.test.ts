import { describe, expect, it } from 'vitest';
import type { ReportDelivery } from '../../../functions/app/weekly-report.js';
import { buildWeeklyReport, deliverWeeklyReport } from '../../../functions/app/weekly-report.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../../functions/core/model.js';
import type { NotifierPort, ReportStorePort, StoredReport } from '../../../functions/core/ports.js';
import { renderHtml } from '../../../functions/report/html/page.js';
import { renderMarkdown } from '../../../functions/report/markdown.js';
import { MemoryLedger } from '../../../sim/memory-ledger.js';
import { REPORT_TIME } from '../../support/clock.js';
import { FakeEvents, RecordingLogger } from '../../support/fakes.js';
import { group, instance, OPTED_IN, record } from '../../support/fleet.js';

/** Monday 16 November 2026 00:00 UTC: the start of 2026-W47. */
const W47 = Date.UTC(2026, 10, 16);
const BOB = 'arn:aws:sts::123456789012:assumed-role/WebTeam/bob@example.com';

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
  readonly sent: { subject: string; message: string; attributes: Readonly<Record<string, string>> | undefined }[] = [];

  async notify(subject: string, message: string, attributes?: Readonly<Record<string, string>>): Promise<void> {
    this.sent.push({ subject, message, attributes });
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

/** The memory ledger, with every read it serves written down. */
class CountingLedger extends MemoryLedger {
  readonly reads: { kind: 'records' | 'ticks'; from: number; to: number }[] = [];

  override async recordsBetween(from: number, to: number) {
    this.reads.push({ kind: 'records', from, to });
    return super.recordsBetween(from, to);
  }

  override async ticksBetween(from: number, to: number) {
    this.reads.push({ kind: 'ticks', from, to });
    return super.ticksBetween(from, to);
  }
}

describe('buildWeeklyReport over eight weeks', () => {
  const W42 = W47 - 5 * WEEK;

  async function history(): Promise<CountingLedger> {
    const ledger = new CountingLedger([
      record({ id: 'w42', group: 'web', reason: 'chaos', startedAt: W42 + DAY, terminatedAt: W42 + DAY, phase: 'verified', closedAt: W42 + DAY + 10 * MINUTE }),
      // Started before the trend's first week, terminated inside it.
      record({
        id: 'w40',
        group: 'web',
        startedAt: W47 - 7 * WEEK - HOUR,
        terminatedAt: W47 - 7 * WEEK + HOUR,
        phase: 'failed',
        closedAt: W47 - 7 * WEEK + HOUR,
      }),
      record({ id: 'in-week', group: 'web', startedAt: W47 + DAY, terminatedAt: W47 + DAY, phase: 'verified', closedAt: W47 + DAY + 10 * MINUTE }),
    ]);
    for (const at of [W42 + HOUR, W42 + HOUR + 10 * MINUTE, W47 + HOUR, W47 + HOUR + 10 * MINUTE, W47 + HOUR + 20 * MINUTE]) {
      await ledger.recordTick({ at, blocked: undefined, skips: {} });
    }
    return ledger;
  }

  it('puts each record and tick in its week', async () => {
    const report = await buildWeeklyReport({ ledger: await history(), fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    const byWeek = Object.fromEntries((report.trend ?? []).map((week) => [week.week, [week.recycledTotal, week.failures, week.ticks]]));
    expect(byWeek).toEqual({
      '2026-W40': [1, 1, 0],
      '2026-W41': [0, 0, 0],
      '2026-W42': [1, 0, 2],
      '2026-W43': [0, 0, 0],
      '2026-W44': [0, 0, 0],
      '2026-W45': [0, 0, 0],
      '2026-W46': [0, 0, 0],
      '2026-W47': [1, 0, 3],
    });
    // The report's own week still reads as it did: the weeks before are only in the trend.
    expect(report.fleet.recycledTotal).toBe(1);
    expect(report.recyclerTicks).toEqual({ thisWeek: 3, previousWeek: 0 });
  });

  it('reads the ledger once a week for records and once for ticks, the last two weeks together, without gaps', async () => {
    const ledger = await history();
    await buildWeeklyReport({ ledger, fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    const spans = (kind: 'records' | 'ticks') => ledger.reads.filter((read) => read.kind === kind).map(({ from, to }) => [from, to]);
    const starts = Array.from({ length: 7 }, (_, index) => W47 - (7 - index) * WEEK);
    const expected = starts.map((from, index) => [from, starts[index + 1] ?? W47 + WEEK]);
    expect(spans('ticks')).toEqual(expected);
    expect(spans('records')).toEqual(expected.map(([from, to], index) => [index === 0 ? (from ?? 0) - DAY : from, to]));
  });

  it("judges the fleet's deadlines as it is at report time: an infeasible group needs attention", async () => {
    const behind = { listOptedInGroups: async () => [group({ size: 20, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:budget': '1/day' } })] };
    const report = await buildWeeklyReport({ ledger: await history(), fleet: behind }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    expect(report.deadlines).toMatchObject({ groupsJudged: 1, infeasibleGroups: 1 });
    expect(report.needsAttention.map((finding) => [finding.group, finding.kind])).toContainEqual(['web', 'will-breach']);
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
    expect(deps.notifier.sent[0]?.attributes).toEqual({ scope: 'fleet' });
    expect(deps.notifier.sent[0]?.subject).toBe('Phoenix weekly report 2026-W47: 1 recycled, 0 failed, 0 quarantined');
    expect(deps.notifier.sent[0]?.message).toMatch(/^Full report: https:\/\/console\.example\/weekly\/2026\/phoenix-2026-W47\.html\n/);
  });

  it('groups by owner (the deployment names the tag), those that need a person first, and sends each owner its part with an owner attribute', async () => {
    const owned = {
      listOptedInGroups: async () => [
        group({ name: 'web', tags: { ...OPTED_IN, 'phoenix:max-age': '7d', owner: 'storefront' } }),
        group({ name: 'api', tags: { ...OPTED_IN, 'phoenix:quarantined': 'recovery failed', owner: 'payments' } }),
        group({ name: 'batch', tags: { ...OPTED_IN } }),
      ],
    };
    const report = await buildWeeklyReport(
      { ledger: await ledgerWithWeek(), fleet: owned },
      { week: '2026-W47', timeZone: 'UTC', ownerTagKey: 'owner' },
      REPORT_TIME,
    );
    expect(report.owners.map((section) => [section.owner, section.groups])).toEqual([
      ['payments', ['api']],
      ['storefront', ['web']],
      [null, ['batch']],
    ]);
    expect(report.owners[0]).toMatchObject({ quarantined: 1 });
    expect(report.groups.find((entry) => entry.group === 'web')?.owner).toBe('storefront');
    const deps = delivery();
    await deliverWeeklyReport(deps, report, REPORT_TIME);
    expect(deps.notifier.sent.map((sent) => sent.attributes)).toEqual([
      { scope: 'fleet' },
      { scope: 'owner', owner: 'payments' },
      { scope: 'owner', owner: 'storefront' },
    ]);
    expect(deps.notifier.sent[1]?.subject).toBe('Phoenix 2026-W47 for payments: 0 recycled, 0 failed, 1 quarantined');
    expect(deps.notifier.sent[1]?.message).toContain('**api**: quarantined');
    expect(deps.notifier.sent[1]?.message).not.toContain('web');
    expect(deps.notifier.sent[0]?.message).toContain('## By owner');
    expect(renderHtml(report)).toContain('<h2>By owner</h2><ul><li><strong>payments</strong>: 1 groups, 0 recycled, 0 failed, 1 quarantined');
  });

  it("lists the week's snoozes with their length and who set each when CloudTrail told, and the recycle requests with when each was served", async () => {
    const ledger = await ledgerWithWeek();
    await ledger.markSnooze({ group: 'web', until: W47 + 2 * DAY + 6 * 3_600_000, seenAt: W47 + 2 * DAY });
    await ledger.noteSnoozeSetter({ group: 'api', until: W47 + 4 * DAY + 3_600_000, by: BOB, at: W47 + 4 * DAY - 60_000, eventId: 'e-1' });
    await ledger.markSnooze({ group: 'api', until: W47 + 4 * DAY + 3_600_000, seenAt: W47 + 4 * DAY });
    await ledger.markSnooze({ group: 'web', until: W47 - DAY + 3_600_000, seenAt: W47 - DAY });
    await ledger.begin(
      record({
        id: 'asked',
        group: 'web',
        instanceId: 'i-9',
        reason: 'requested',
        startedAt: W47 + 3 * DAY,
        terminatedAt: W47 + 3 * DAY + 600_000,
        phase: 'verified',
        closedAt: W47 + 3 * DAY + 1_200_000,
      }),
    );
    const report = await buildWeeklyReport({ ledger, fleet }, { week: '2026-W47', timeZone: 'UTC' }, REPORT_TIME);
    expect(report.snoozes).toEqual([
      { group: 'web', seenAt: '2026-11-18T00:00:00.000Z', until: '2026-11-18T06:00:00.000Z', lengthSeconds: 6 * 3600, by: null, setAt: null },
      { group: 'api', seenAt: '2026-11-20T00:00:00.000Z', until: '2026-11-20T01:00:00.000Z', lengthSeconds: 3600, by: BOB, setAt: '2026-11-19T23:59:00.000Z' },
    ]);
    expect(report.requests).toEqual([
      { group: 'web', instanceId: 'i-9', startedAt: '2026-11-19T00:00:00.000Z', servedAt: '2026-11-19T00:10:00.000Z', outcome: 'verified' },
    ]);
    const text = renderMarkdown(report);
    expect(text).toContain(
      [
        '## Snoozes\n',
        '- **web** from 2026-11-18T00:00:00.000Z until 2026-11-18T06:00:00.000Z (6h, set by unknown: CloudTrail did not tell)',
        `- **api** from 2026-11-20T00:00:00.000Z until 2026-11-20T01:00:00.000Z (1h, set by ${BOB} at 2026-11-19T23:59:00.000Z)`,
      ].join('\n'),
    );
    expect(text).toContain('## Recycle requests\n\n- **web** i-9: taken up 2026-11-19T00:00:00.000Z, served 2026-11-19T00:10:00.000Z');
    expect(renderHtml(report)).toContain(
      '<strong>web</strong> snoozed from 2026-11-18 00:00 UTC until 2026-11-18 06:00 UTC (6h, set by unknown: CloudTrail did not tell)',
    );
    expect(renderHtml(report)).toContain(
      `<strong>api</strong> snoozed from 2026-11-20 00:00 UTC until 2026-11-20 01:00 UTC (1h, set by <code>${BOB}</code> at 2026-11-19 23:59 UTC)`,
    );
    expect(renderHtml(report)).toContain('<code>i-9</code> requested: taken up');
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
