import type { Decision } from '../core/decide/decision.js';
import { planTick } from '../core/decide/plan.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import { MINUTE, WEEK } from '../core/model.js';
import { formatDuration } from '../core/policy/duration.js';
import { NO_ACCOUNT_LIMITS } from '../core/policy/tags.js';
import type { FleetPort, LedgerPort } from '../core/ports.js';
import { isMissingTable, UsageError } from './errors.js';

/**
 * What a plan reads: the opted-in groups and the ledger's recent records. Neither offers a method
 * that changes anything, so a plan cannot act whatever it is handed.
 */
export interface PlanSources {
  readonly fleet: Pick<FleetPort, 'listOptedInGroups'>;
  /** Undefined when no ledger table was found: the plan goes on without budgets and records in flight. */
  readonly ledger: Pick<LedgerPort, 'recordsSince'> | undefined;
}

export interface PlanOptions {
  readonly at: Millis;
  /** The ledger table the sources read, to name it when it is missing. */
  readonly table: string | undefined;
  readonly tickMinutes: number;
}

export function parseAt(value: string | boolean | undefined, now: Millis): Millis {
  if (value === undefined) return now;
  const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`--at: "${String(value)}" is not valid: expected an ISO-8601 time such as 2026-11-23T09:00:00Z`);
  return at;
}

export interface PlanReport {
  readonly at: string;
  readonly ledger: 'read' | 'missing';
  readonly ledgerTable: string | null;
  readonly groups: readonly {
    readonly group: string;
    readonly mode: string | null;
    readonly decision: string;
    readonly reason: string;
    readonly why: string;
    readonly instances: readonly { readonly id: string; readonly ageSeconds: number | null; readonly candidate: string | null; readonly note: string }[];
  }[];
}

function describeDecision(decision: Decision): { decision: string; reason: string; why: string } {
  switch (decision.kind) {
    case 'start': {
      const action = decision.dryRun ? 'would-recycle (dry-run)' : decision.method === 'surge' ? 'launch-then-terminate' : 'terminate';
      return { decision: `${action} ${decision.instanceId}`, reason: decision.reason, why: decision.why };
    }
    case 'progress':
      return {
        decision: `in-flight ${decision.record.instanceId}: ${decision.step.kind}`,
        reason: decision.record.reason,
        why: 'why' in decision.step ? decision.step.why : `recovered in ${decision.step.recoverySeconds}s`,
      };
    case 'skip':
      return { decision: 'skip', reason: decision.reason, why: decision.why };
  }
}

/** What a tick would do now (or at `--at`) for every opted-in group and instance: reads only, never acts. */
export async function planReport(sources: PlanSources, options: PlanOptions, warn: (text: string) => void): Promise<PlanReport> {
  const groups = await sources.fleet.listOptedInGroups();
  let records: ReplacementRecord[] = [];
  let ledgerState: 'read' | 'missing' = 'missing';
  try {
    if (sources.ledger !== undefined) {
      records = await sources.ledger.recordsSince(options.at - WEEK);
      ledgerState = 'read';
    }
  } catch (error) {
    if (!isMissingTable(error)) throw error;
  }
  if (ledgerState === 'missing') {
    const table = options.table === undefined ? 'no ledger table' : `ledger table ${options.table} not found`;
    warn(`${table}: budgets and replacements in flight are not taken into account`);
  }
  const decisions = planTick({
    groups,
    records,
    now: options.at,
    // A plan never claims a random kill: chaos shows as a possibility on each instance instead.
    chaosDraws: () => () => 1,
    tickInterval: options.tickMinutes * MINUTE,
    globalMode: 'live',
    globalBlock: undefined,
    maxTerminationsPerRun: Number.MAX_SAFE_INTEGER,
    limits: NO_ACCOUNT_LIMITS,
    explain: true,
    progressOnly: false,
  });
  return {
    at: new Date(options.at).toISOString(),
    ledger: ledgerState,
    ledgerTable: options.table ?? null,
    groups: decisions.map((decision) => ({
      group: decision.group,
      mode: decision.mode ?? null,
      ...describeDecision(decision),
      instances: decision.instances.map((verdict) => ({
        id: verdict.instanceId,
        ageSeconds: verdict.age === undefined ? null : Math.round(verdict.age / 1000),
        candidate: verdict.candidate ?? null,
        note: verdict.note,
      })),
    })),
  };
}

export function formatPlan(report: PlanReport): string {
  const ledger = report.ledgerTable === null ? 'no ledger' : `ledger ${report.ledgerTable} ${report.ledger}`;
  const lines = [`Phoenix plan at ${report.at} (${ledger}): ${report.groups.length} opted-in groups`, ''];
  for (const group of report.groups) {
    lines.push(`${group.group} [${group.mode ?? 'bad tags'}]: ${group.decision} (${group.reason}): ${group.why}`);
    for (const instance of group.instances) {
      const age = instance.ageSeconds === null ? 'age ?' : formatDuration(instance.ageSeconds * 1000);
      lines.push(`  ${instance.id.padEnd(20)} ${age.padEnd(8)} ${instance.note}`);
    }
  }
  return lines.join('\n');
}
