import type { VersionBlock, VersionFailure, VersionHealth, VersionReleaseNotice } from '../functions/core/decide/versions.js';
import type { Millis, ReplacementPhase, ReplacementRecord, UndoClaim } from '../functions/core/model.js';
import { isOpen } from '../functions/core/model.js';
import type { SnoozeMark, SnoozeSetBy } from '../functions/core/policy/snooze.js';
import type { SnoozeSetter } from '../functions/core/policy/snooze-setter.js';
import type { BeginResult, LedgerHistory, LedgerPort, LedgerRead, SnoozeSetterPort, UpdateResult, VersionRelease } from '../functions/core/ports.js';
import type { TickSummary } from '../functions/core/report/tick-summary.js';
import { MemoryVersions } from './memory-versions.js';

/**
 * The replacement ledger in memory. Conditional writes behave like DynamoDB's: each check-and-write
 * runs alone, even though it yields in the middle, so overlapping ticks interleave everywhere else.
 */
export class MemoryLedger implements LedgerPort, LedgerHistory, VersionRelease, SnoozeSetterPort {
  private readonly records = new Map<string, ReplacementRecord>();
  /** Ids by start time, so a tick's read touches only the recent tail of a long simulation's ledger. */
  private readonly byStart: { readonly startedAt: Millis; readonly id: string }[] = [];
  private readonly open = new Set<string>();
  private readonly ticks: TickSummary[] = [];
  private readonly versions = new MemoryVersions();
  /** By group and time: the first mark of each stays. */
  private readonly snoozes = new Map<string, SnoozeMark>();
  /** Scheduled tick times whose advance notices were claimed. */
  private readonly noticeClaims = new Set<Millis>();
  /** By group and time, as the DynamoDB item keeps them beside the mark: the earliest setter of each stays. */
  private readonly setters = new Map<string, SnoozeSetBy>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(initial: readonly ReplacementRecord[] = []) {
    for (const record of initial) this.write(record);
  }

  all(): readonly ReplacementRecord[] {
    return [...this.records.values()];
  }

  async recordsSince(since: Millis): Promise<LedgerRead> {
    await Promise.resolve();
    const snoozes = this.marks().filter((mark) => mark.seenAt >= since);
    return { records: this.startedSince(since), blocks: this.versions.blocks(), releases: this.versions.releases(), snoozes };
  }

  async markSnooze(mark: SnoozeMark): Promise<void> {
    await Promise.resolve();
    const key = snoozeKey(mark);
    if (!this.snoozes.has(key)) this.snoozes.set(key, Object.freeze({ group: mark.group, until: mark.until, seenAt: mark.seenAt }));
  }

  async noteSnoozeSetter(setter: SnoozeSetter): Promise<'noted' | 'earlier-kept'> {
    await Promise.resolve();
    const key = snoozeKey(setter);
    const earlier = this.setters.get(key);
    if (earlier !== undefined && earlier.at <= setter.at) return 'earlier-kept';
    this.setters.set(key, Object.freeze({ by: setter.by, at: setter.at }));
    return 'noted';
  }

  async claimNotices(scheduledAt: Millis): Promise<'claimed' | 'conflict'> {
    await Promise.resolve();
    if (this.noticeClaims.has(scheduledAt)) return 'conflict';
    this.noticeClaims.add(scheduledAt);
    return 'claimed';
  }

  /** Every snooze marked, first seen in [from, to). */
  async snoozesBetween(from: Millis, to: Millis): Promise<SnoozeMark[]> {
    await Promise.resolve();
    return this.marks().filter((mark) => mark.seenAt >= from && mark.seenAt < to);
  }

  /** The marks with their setters; a setter no tick marked is in none, as in the table's indexes. */
  private marks(): SnoozeMark[] {
    return [...this.snoozes.entries()].map(([key, mark]) => {
      const setter = this.setters.get(key);
      return setter === undefined ? mark : { ...mark, setter };
    });
  }

  async openRecords(): Promise<LedgerRead> {
    await Promise.resolve();
    return { records: this.recordsOf(this.open), blocks: this.versions.blocks(), releases: [], snoozes: [] };
  }

  async versionBlocks(): Promise<VersionBlock[]> {
    await Promise.resolve();
    return this.versions.blocks();
  }

  async noteFailure(key: string, failure: VersionFailure): Promise<VersionHealth> {
    await Promise.resolve();
    return this.versions.noteFailure(key, failure);
  }

  async blockVersion(block: VersionBlock, health: VersionHealth): Promise<'blocked' | 'conflict'> {
    await Promise.resolve();
    return this.versions.blockVersion(block, health);
  }

  async releaseVersion(key: string, at: Millis, by: string): Promise<VersionBlock | undefined> {
    await Promise.resolve();
    return this.versions.releaseVersion(key, at, by);
  }

  async releaseAnnounced(release: VersionReleaseNotice): Promise<void> {
    await Promise.resolve();
    this.versions.releaseAnnounced(release);
  }

  async groupRecordsSince(groups: readonly string[], since: Millis): Promise<ReplacementRecord[]> {
    await Promise.resolve();
    const wanted = new Set(groups);
    return this.startedSince(since).filter((record) => wanted.has(record.group));
  }

  private startedSince(since: Millis): ReplacementRecord[] {
    return this.recordsOf(this.byStart.slice(this.firstStartingAt(since)).map(({ id }) => id));
  }

  private recordsOf(ids: Iterable<string>): ReplacementRecord[] {
    return [...ids].flatMap((id) => {
      const record = this.records.get(id);
      return record === undefined ? [] : [record];
    });
  }

  async recordsBetween(from: Millis, to: Millis): Promise<ReplacementRecord[]> {
    await Promise.resolve();
    return this.recordsOf(this.byStart.slice(this.firstStartingAt(from), this.firstStartingAt(to)).map(({ id }) => id));
  }

  async recordTick(summary: TickSummary): Promise<void> {
    await Promise.resolve();
    this.ticks.push(summary);
  }

  async ticksBetween(from: Millis, to: Millis): Promise<TickSummary[]> {
    await Promise.resolve();
    return this.ticks.filter((summary) => summary.at >= from && summary.at < to);
  }

  async begin(record: ReplacementRecord): Promise<BeginResult> {
    await Promise.resolve();
    return this.conditionally(() => !isOpen(record) || ![...this.open].some((id) => this.records.get(id)?.group === record.group), record).then((written) =>
      written ? 'created' : 'conflict',
    );
  }

  async update(record: ReplacementRecord, expectedPhase: ReplacementPhase, expectedUndo?: UndoClaim): Promise<UpdateResult> {
    await Promise.resolve();
    const holds = () => {
      const stored = this.records.get(record.id);
      return stored?.phase === expectedPhase && (expectedUndo === undefined || stored.undo?.at === expectedUndo.at);
    };
    return this.conditionally(holds, record).then((written) => (written ? 'updated' : 'conflict'));
  }

  /** Runs check-then-write under the ledger's lock; the yield between them is where a race would show. */
  private conditionally(condition: () => boolean, record: ReplacementRecord): Promise<boolean> {
    const run = this.tail.then(async () => {
      if (!condition()) return false;
      await Promise.resolve();
      this.write(record);
      return true;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private write(record: ReplacementRecord): void {
    const previous = this.records.get(record.id);
    if (previous === undefined || previous.startedAt !== record.startedAt) {
      if (previous !== undefined)
        this.byStart.splice(
          this.byStart.findIndex((entry) => entry.id === record.id),
          1,
        );
      // After any equal start times, so records with one start stay in write order.
      this.byStart.splice(this.firstStartingAt(record.startedAt + 1), 0, { startedAt: record.startedAt, id: record.id });
    }
    this.records.set(record.id, Object.freeze({ ...record }));
    if (isOpen(record)) this.open.add(record.id);
    else this.open.delete(record.id);
  }

  /** Index of the first record started at or after `at` (binary search). */
  private firstStartingAt(at: Millis): number {
    let low = 0;
    let high = this.byStart.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.byStart[middle]?.startedAt ?? Infinity) < at) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function snoozeKey(snooze: { readonly group: string; readonly until: Millis }): string {
  return `${snooze.group}\u0000${snooze.until}`;
}
