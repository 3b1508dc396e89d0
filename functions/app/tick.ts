import type { Decision } from '../core/decide/decision.js';
import type { PlanInput } from '../core/decide/plan.js';
import { planTick } from '../core/decide/plan.js';
import { keyedRandom } from '../core/decide/random.js';
import type { BreakerSettings } from '../core/decide/versions.js';
import { DEFAULT_BREAKER } from '../core/decide/versions.js';
import type { GlobalMode, Group, Millis } from '../core/model.js';
import type { Blackout, GlobalBlock } from '../core/policy/global-gate.js';
import { globalBlock } from '../core/policy/global-gate.js';
import type { AccountLimits } from '../core/policy/tags.js';
import { NO_ACCOUNT_LIMITS } from '../core/policy/tags.js';
import type { AlarmsPort, EventsPort, FleetPort, LedgerPort, Logger, SettingsPort } from '../core/ports.js';
import { summarizeTick } from '../core/report/tick-summary.js';
import { SETTINGS } from './account-settings.js';
import { logDecision } from './decision-log.js';
import { errorText } from './errors.js';
import { announce } from './notices.js';
import { announceReleases, flushOutbox } from './outbox.js';
import type { ActionOutcome } from './replacement-actions.js';
import { ReplacementActions } from './replacement-actions.js';
import type { RunScope } from './run-reads.js';
import { load, readBeforeActing } from './run-reads.js';
import { markSnoozes } from './snooze-marks.js';

export interface TickDependencies {
  readonly fleet: FleetPort;
  readonly ledger: LedgerPort;
  readonly events: EventsPort;
  readonly alarms: AlarmsPort;
  readonly settings: SettingsPort;
  readonly logger: Logger;
  /** Mixed into every chaos draw's key; the same in every container, so duplicate deliveries draw alike. */
  readonly chaosSeed: number;
}

export interface TickSettings {
  readonly tickInterval: Millis;
  readonly blackouts: readonly Blackout[];
  readonly stopAlarms: readonly string[];
  readonly maxTerminationsPerRun: number;
  /** The account's ceiling on group budgets and floor under min-healthy; none when left out. */
  readonly limits?: AccountLimits;
  /** When failed recoveries block a version, and canary order's bake time; the defaults when left out. */
  readonly breaker?: BreakerSettings;
  /** The group tag naming a group's owner, carried by its records and events; `team` when left out. */
  readonly ownerTagKey?: string;
}

export interface TickResult {
  readonly at: Millis;
  readonly mode: GlobalMode;
  readonly block: GlobalBlock | undefined;
  readonly decisions: readonly Decision[];
  readonly outcomes: readonly ActionOutcome[];
  /** The groups as loaded for the run, for the fleet's figures (ages, quarantines) it publishes. */
  readonly groups: readonly Group[];
  /** Versions blocked after the run: those it read, and those it blocked. */
  readonly blockedVersions: number;
}

/** An error inside a safety check blocks terminations: reading the kill switch or alarms must succeed. */
async function readGlobalGate(deps: TickDependencies, settings: TickSettings, now: Millis): Promise<{ mode: GlobalMode; block: GlobalBlock | undefined }> {
  let mode: GlobalMode;
  try {
    mode = await deps.settings.globalMode();
  } catch (error) {
    return { mode: 'off', block: { reason: 'mode-off', why: `not terminating: could not read the global mode (${errorText(error)})`, brake: false } };
  }
  let alarmsInAlarm: string[];
  try {
    alarmsInAlarm = settings.stopAlarms.length === 0 ? [] : await deps.alarms.alarmsInAlarm(settings.stopAlarms);
  } catch (error) {
    return { mode, block: { reason: 'stop-alarm', why: `not terminating: could not read the stop alarms (${errorText(error)})`, brake: false } };
  }
  return { mode, block: globalBlock({ mode, now, blackouts: settings.blackouts, alarmsInAlarm }) };
}

/**
 * One run: global gates → load → plan → act → publish events → (a recycler tick) announce what it expects
 * to start within the hour, and record what it skipped.
 */
export async function runTick(deps: TickDependencies, settings: TickSettings, now: Millis, scope: RunScope = { kind: 'tick' }): Promise<TickResult> {
  const { mode, block } = await readGlobalGate(deps, settings, now);
  if (block !== undefined) deps.logger.info('tick blocked', { reason: block.reason, why: block.why });
  const [{ records, blocks, releases, snoozes }, groups] = await load(deps, scope, now);
  const planInput: PlanInput = {
    groups,
    records,
    snoozes,
    now,
    chaosDraws: (group) => keyedRandom(`${deps.chaosSeed}/${Math.floor(now / settings.tickInterval)}/${group}`),
    tickInterval: settings.tickInterval,
    globalMode: mode === 'dry-run' ? 'dry-run' : 'live',
    globalBlock: block,
    maxTerminationsPerRun: settings.maxTerminationsPerRun,
    limits: settings.limits ?? NO_ACCOUNT_LIMITS,
    explain: false,
    progressOnly: scope.kind === 'verify',
    versionBlocks: blocks,
    breaker: settings.breaker ?? DEFAULT_BREAKER,
  };
  const decisions = planTick(planInput);
  if (scope.kind === 'tick') await markSnoozes(deps, groups, planInput);
  const fresh = await readBeforeActing(deps.fleet, scope, decisions, groups, now);
  const ownerTagKey = settings.ownerTagKey ?? SETTINGS.ownerTagKey.default;
  const run = new ReplacementActions(deps, planInput, records, fresh, ownerTagKey);
  for (const decision of decisions) {
    logDecision(deps.logger, decision);
    try {
      if (decision.kind === 'start')
        await run.start(
          decision,
          records.filter((record) => record.group === decision.group),
        );
      else if (decision.kind === 'progress') await run.progress(decision);
    } catch (error) {
      run.outcomes.push({ group: decision.group, kind: 'failed', why: 'unexpected error while acting', cause: error });
      deps.logger.error('action failed', { group: decision.group, error: errorText(error) });
    }
  }
  const failures = [...(await flushOutbox(deps, { loaded: records, groups, written: run.written })), ...(await announceReleases(deps, releases))];
  if (scope.kind === 'tick') {
    const accountLive = mode === 'live' && block === undefined;
    const noticeInput = { groups, records, decisions, now, tickInterval: settings.tickInterval, limits: planInput.limits, accountLive };
    failures.push(...(await announce(deps, noticeInput, { ownerTagKey, scheduledAt: scope.scheduledAt })));
  }
  for (const failure of failures) run.outcomes.push({ group: failure.group, kind: 'failed', why: failure.why, cause: failure.cause });
  if (scope.kind === 'tick') {
    try {
      await deps.ledger.recordTick(summarizeTick(now, block, decisions));
    } catch (error) {
      // Only the report's skip counts lose this tick; the actions and their records stand.
      deps.logger.warn('could not record the tick summary', { error: errorText(error) });
    }
  }
  const blockedNow = new Set([...blocks.map((found) => found.key), ...run.blocked]);
  return { at: now, mode, block, decisions, outcomes: run.outcomes, groups, blockedVersions: blockedNow.size };
}
