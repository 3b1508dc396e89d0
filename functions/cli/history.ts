import { LEDGER_RETENTION_DAYS } from '../adapters/ledger-table.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import { DAY, isOpen } from '../core/model.js';
import { formatDuration } from '../core/policy/duration.js';
import { integerOption, parseOptions } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { isMissingTable, LedgerNotFoundError, LedgerTableMissingError, UsageError } from './errors.js';
import { chooseLedger, LEDGER_OPTIONS } from './ledger-choice.js';
import type { Output } from './output.js';
import { ledgerReader, listTableNames } from './readers.js';

export const HISTORY_DAYS = { default: 30, min: 1, max: LEDGER_RETENTION_DAYS } as const;

export interface HistoryEntry {
  readonly instanceId: string;
  readonly reason: string;
  readonly mode: 'live' | 'dry-run';
  /** The record's phase: open (surging, terminating, undoing) or how it closed. */
  readonly outcome: string;
  readonly startedAt: string;
  readonly terminatedAt: string | null;
  readonly closedAt: string | null;
  /** From the termination to the group's verified recovery. */
  readonly recoverySeconds: number | null;
  readonly instanceAgeSeconds: number | null;
  readonly detail: string | null;
}

export interface GroupHistory {
  readonly group: string;
  readonly days: number;
  readonly ledgerTable: string;
  readonly replacements: readonly HistoryEntry[];
}

function iso(at: Millis | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}

function entry(record: ReplacementRecord): HistoryEntry {
  const recovered = record.phase === 'verified' && record.terminatedAt !== undefined && record.closedAt !== undefined;
  return {
    instanceId: record.instanceId,
    reason: record.reason,
    mode: record.mode,
    outcome: isOpen(record) ? `in flight (${record.phase})` : record.phase,
    startedAt: new Date(record.startedAt).toISOString(),
    terminatedAt: iso(record.terminatedAt),
    closedAt: iso(record.closedAt),
    recoverySeconds: recovered ? Math.round(((record.closedAt as Millis) - (record.terminatedAt as Millis)) / 1000) : null,
    instanceAgeSeconds: record.instanceAgeSeconds ?? null,
    detail: record.detail ?? null,
  };
}

/** What history reads: one group's records, by the group's own partition of the ledger. */
export interface GroupRecords {
  recordsForGroup(group: string, since: Millis): Promise<ReplacementRecord[]>;
}

/** One group's replacements over the last `days`, oldest first, from the ledger. */
export async function groupHistory(
  ledger: GroupRecords,
  options: { readonly group: string; readonly days: number; readonly table: string; readonly now: Millis },
): Promise<GroupHistory> {
  try {
    const records = await ledger.recordsForGroup(options.group, options.now - options.days * DAY);
    return { group: options.group, days: options.days, ledgerTable: options.table, replacements: records.map(entry) };
  } catch (error) {
    if (isMissingTable(error)) throw new LedgerTableMissingError(options.table, error);
    throw error;
  }
}

export function formatHistory(history: GroupHistory): string {
  const { group, days, replacements } = history;
  if (replacements.length === 0) return `${group}: no replacements in the last ${days} days`;
  const lines = [`${group}: ${replacements.length} replacement${replacements.length === 1 ? '' : 's'} in the last ${days} days`, ''];
  const rows = replacements.map((item) => [
    item.startedAt.slice(0, 16).replace('T', ' '),
    item.instanceId,
    item.reason,
    item.mode,
    item.outcome,
    item.instanceAgeSeconds === null ? '-' : formatDuration(item.instanceAgeSeconds * 1000),
    item.recoverySeconds === null ? '-' : formatDuration(item.recoverySeconds * 1000),
    item.detail ?? '',
  ]);
  const header = ['started (UTC)', 'instance', 'reason', 'mode', 'outcome', 'age', 'recovery', 'detail'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  for (const row of [header, ...rows])
    lines.push(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}

export async function historyCommand(args: readonly string[], output: Output, now: Millis): Promise<void> {
  const [group, ...rest] = args;
  if (group === undefined || group.startsWith('-')) {
    throw new UsageError('phoenix history: GROUP is missing: expected the name of an Auto Scaling group first (phoenix history --help)');
  }
  const values = parseOptions('history', rest, { days: { type: 'string' }, json: { type: 'boolean' }, ...LEDGER_OPTIONS, ...AWS_OPTIONS });
  const days = integerOption({ name: 'days', value: values['days'], fallback: HISTORY_DAYS.default, min: HISTORY_DAYS.min, max: HISTORY_DAYS.max });
  const aws = awsOptions(values);
  const { table, how } = await chooseLedger(values, () => listTableNames(aws));
  if (table === undefined) throw new LedgerNotFoundError(how);
  output.stderr(`ledger: ${table} (${how})`);
  const history = await groupHistory(ledgerReader({ aws, table, now }), { group, days, table, now });
  output.stdout(values['json'] === true ? JSON.stringify(history, null, 2) : formatHistory(history));
}
