import { SKIP_REASONS } from '../core/decide/decision.js';
import { formatDuration } from '../core/policy/duration.js';
import { breachTime } from './deadline.js';
import { UsageError } from './errors.js';
import { globPattern } from './glob.js';
import type { PlanAction, PlanGroup, PlanLaunchSource, PlanReport } from './plan.js';

/** Which groups a plan shows: --group NAME|GLOB and --actions. */
export interface PlanView {
  readonly group: string | undefined;
  readonly actionsOnly: boolean;
}

/** Reasons a person must act on before Phoenix does anything for the group: shown first. */
const ATTENTION = new Set(['bad-tags', 'quarantined', 'version-blocked']);
const ACTIONS: readonly PlanAction[] = ['launch-then-terminate', 'terminate', 'would-recycle', 'in-flight', 'skip'];
/** Breach predictions listed before saying how many more: each is a line with its why. */
const BREACHES_SHOWN = 20;
/** Group names a reason lists before it says how many more: the summary stays a screen at any fleet size. */
const NAMES_PER_REASON = 8;

/** The report narrowed to the groups asked about; --group that matches nothing is an error naming it. */
export function viewPlan(report: PlanReport, view: PlanView): PlanReport {
  let groups = report.groups;
  if (view.group !== undefined) {
    const pattern = globPattern(view.group);
    groups = groups.filter((group) => pattern.test(group.group));
    if (groups.length === 0) {
      throw new UsageError(
        `--group: "${view.group}" matches none of the ${report.groups.length} opted-in groups: expected a group name or a glob such as 'web-*'`,
      );
    }
  }
  if (view.actionsOnly) groups = groups.filter((group) => group.action !== 'skip');
  return { ...report, groups };
}

function countBy<Key extends string>(groups: readonly PlanGroup[], key: (group: PlanGroup) => Key): Map<Key, number> {
  const counts = new Map<Key, number>();
  for (const group of groups) counts.set(key(group), (counts.get(key(group)) ?? 0) + 1);
  return counts;
}

function sourceText(source: PlanLaunchSource | null): string {
  if (source === null) return '';
  const image = source.imageId === null ? '' : `, ${source.imageId}`;
  return source.kind === 'template' ? `${source.name ?? source.id} (${source.id}) v${source.version}${image}` : `launch configuration ${source.name}${image}`;
}

/** Blocked versions come before everything: no group launching one does anything until it is released. */
function blockedLines(report: PlanReport): string[] {
  if (report.blockedVersions.length === 0) return [];
  return [
    '',
    `Blocked versions (${report.blockedVersions.length}; phoenix release --version V lifts one):`,
    ...report.blockedVersions.map((block) => {
      const users = block.groups.length === 0 ? 'no group launches it now' : `launched by ${block.groups.join(', ')}`;
      return `${block.version}: blocked ${block.blockedAt} after ${block.why}; ${users}`;
    }),
  ];
}

function groupLine(group: PlanGroup): string {
  return `${group.group} [${group.mode ?? 'bad tags'}]: ${group.decision} (${group.reason}): ${group.why}`;
}

/** The groups that will not keep max-age, the soonest breach first: what a person has the most time to fix the least. */
function breachLines(report: PlanReport): string[] {
  const withDeadline = report.groups.filter((group) => group.deadline !== null);
  const breaching = withDeadline
    .filter((group) => group.deadline?.feasible === false)
    .sort((a, b) => (a.deadline?.firstBreachAt ?? '~').localeCompare(b.deadline?.firstBreachAt ?? '~') || a.group.localeCompare(b.group));
  if (breaching.length === 0) return [];
  const more = breaching.length > BREACHES_SHOWN ? [`and ${breaching.length - BREACHES_SHOWN} more: phoenix plan --json gives every group's deadline`] : [];
  return [
    '',
    `Will breach max-age (${breaching.length} of ${withDeadline.length} groups with max-age, soonest first):`,
    ...breaching.slice(0, BREACHES_SHOWN).map((group) => `${group.group}: ${group.deadline?.text ?? ''}`),
    ...more,
  ];
}

function deadlineLine(group: PlanGroup): string[] {
  if (group.deadline === null) return [];
  const next = group.deadline.nextRecycles.slice(0, 3).map((recycle) => `${recycle.instanceId} ${breachTime(Date.parse(recycle.at))} (${recycle.rule})`);
  return [`  deadline: ${group.deadline.text}${next.length === 0 ? '' : `; next: ${next.join(', ')}`}`];
}

function instanceLines(group: PlanGroup): string[] {
  const lines = group.launchSource === null ? [] : [`  launches ${sourceText(group.launchSource)}`];
  for (const instance of group.instances) {
    const age = instance.ageSeconds === null ? 'age ?' : formatDuration(instance.ageSeconds * 1000);
    lines.push(`  ${instance.id.padEnd(20)} ${age.padEnd(8)} ${instance.note}`);
  }
  return lines;
}

/** Groups by action and by reason, in the order the output lists them: what --json opens with too. */
export function planSummary(report: PlanReport): {
  readonly actions: Record<string, number>;
  readonly reasons: Record<string, number>;
  readonly deadlines?: Record<'will-breach' | 'feasible', number>;
} {
  const withDeadline = report.groups.filter((group) => group.deadline !== null);
  const breaching = withDeadline.filter((group) => group.deadline?.feasible === false).length;
  const deadlines = withDeadline.length === 0 ? {} : { deadlines: { 'will-breach': breaching, feasible: withDeadline.length - breaching } };
  const actions = countBy(report.groups, (group) => group.action);
  const reasons = countBy(report.groups, (group) => group.reason);
  return {
    actions: Object.fromEntries(ACTIONS.filter((action) => actions.has(action)).map((action) => [action, actions.get(action) ?? 0])),
    reasons: Object.fromEntries([...reasons.entries()].sort(([a], [b]) => order(a) - order(b))),
    ...deadlines,
  };
}

function summaryLines(report: PlanReport): string[] {
  const { actions, reasons, deadlines } = planSummary(report);
  const text = (counts: Record<string, number>) => {
    const entries = Object.entries(counts);
    return entries.length === 0 ? 'none' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
  };
  return [`Actions: ${text(actions)}`, `Reasons: ${text(reasons)}`, ...(deadlines === undefined ? [] : [`Deadlines: ${text(deadlines)}`])];
}

function order(reason: string): number {
  const index = (SKIP_REASONS as readonly string[]).indexOf(reason);
  return index < 0 ? -1 : index;
}

/**
 * The plan for a person: the counts first, then what needs them (bad tags, quarantines), then what a
 * tick would do, then the groups it would leave alone, by reason. Per-instance detail only for the
 * groups named with --group: at hundreds of groups, every instance is more than anyone reads.
 */
export function formatPlan(report: PlanReport, view: PlanView): string {
  const ledger = report.ledgerTable === null ? 'no ledger' : `ledger ${report.ledgerTable} ${report.ledger}`;
  const scope = view.group === undefined ? 'opted-in groups' : `groups matching ${view.group}`;
  const lines = [`Phoenix plan at ${report.at} (${ledger}): ${report.groups.length} ${scope}${view.actionsOnly ? ' that a tick would act on' : ''}`];
  lines.push(...blockedLines(report), ...summaryLines(report), ...breachLines(report));
  const detail = view.group !== undefined;
  const section = (title: string, groups: readonly PlanGroup[]) => {
    if (groups.length === 0) return;
    lines.push('', `${title}:`);
    for (const group of groups) lines.push(groupLine(group), ...(detail ? [...deadlineLine(group), ...instanceLines(group)] : []));
  };
  section(
    'Needs attention',
    report.groups.filter((group) => ATTENTION.has(group.reason)),
  );
  section(
    'Acting',
    report.groups.filter((group) => group.action !== 'skip'),
  );
  const waiting = report.groups.filter((group) => group.action === 'skip' && !ATTENTION.has(group.reason));
  if (detail) section('Left alone', waiting);
  else {
    const byReason = new Map<string, PlanGroup[]>();
    for (const group of waiting) {
      const same = byReason.get(group.reason);
      if (same === undefined) byReason.set(group.reason, [group]);
      else same.push(group);
    }
    if (byReason.size > 0) lines.push('', 'Left alone:');
    for (const reason of [...byReason.keys()].sort((a, b) => order(a) - order(b))) {
      const groups = byReason.get(reason) ?? [];
      if (groups.length === 1) lines.push(groupLine(groups[0] as PlanGroup));
      else {
        const names = groups.slice(0, NAMES_PER_REASON).map((group) => group.group);
        const more = groups.length > NAMES_PER_REASON ? `, and ${groups.length - NAMES_PER_REASON} more` : '';
        lines.push(`${reason} (${groups.length}): ${names.join(', ')}${more}`);
      }
    }
  }
  if (!detail && report.groups.length > 0) lines.push('', "Per-instance detail: phoenix plan --group NAME (or a glob such as 'web-*')");
  return lines.join('\n');
}
