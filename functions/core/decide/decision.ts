import type { LaunchSource, MaxRaise, Millis, RecycleReason, ReplacementRecord } from '../model.js';
import type { GroupMode } from '../policy/policy.js';
import type { Ineligibility } from './fleet-state.js';

/**
 * Every reason a group does not start a replacement this tick: one vocabulary for logs, CLI and
 * report, in the order a report lists them (what needs a person first).
 */
export const SKIP_REASONS = [
  'bad-tags',
  'quarantined',
  'version-blocked',
  'global-block',
  'disabled',
  'snoozed',
  'desired-zero',
  'processes-suspended',
  'not-stable',
  'outside-window',
  'budget-spent',
  'at-max-capacity',
  'canary-wait',
  'account-run-limit',
  'verify-only',
  'no-candidate',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface InstanceVerdict {
  readonly instanceId: string;
  readonly age: Millis | undefined;
  /** Why it can never be picked now, if so. */
  readonly ineligible: Ineligibility | undefined;
  /** The reason it would be recycled, if it is a candidate. */
  readonly candidate: RecycleReason | undefined;
  /** One line for `phoenix plan`. */
  readonly note: string;
}

interface DecisionBase {
  readonly group: string;
  readonly mode: GroupMode | undefined;
  /** Filled only when the plan is asked to explain (the CLI); empty on the hot path. */
  readonly instances: readonly InstanceVerdict[];
}

/** Start replacing one instance: `surge` raises desired by one first, `terminate` lets Auto Scaling replace it. */
export interface StartDecision extends DecisionBase {
  readonly kind: 'start';
  readonly instanceId: string;
  readonly reason: RecycleReason;
  readonly why: string;
  readonly method: 'surge' | 'terminate';
  readonly desired: number;
  readonly dryRun: boolean;
  readonly instanceAge: Millis | undefined;
  /** Age over max-age for a max-age pick, else 0: orders starts when the account's per-run limit bites. */
  readonly overdue: number;
  /** The last touch of a tainted pick. */
  readonly touchedAt?: Millis;
  /** What the replacement would launch, as the group read for planning says. */
  readonly launches: LaunchSource | undefined;
  /** The first replacement onto a version not yet proven: others onto it wait until it is verified and baked. */
  readonly canary: boolean;
  /** A surge in a group at its max size (`phoenix:max-surge=1`) raises max size by one first. */
  readonly raiseMax?: MaxRaise;
}

/**
 * Takes a surge back exactly: the surge's own extra instance goes with desired lowered in the same call,
 * so Auto Scaling never chooses (it might choose an exempt instance); with no extra instance running,
 * desired is set back, which then removes nothing.
 */
export type Undo =
  | { readonly kind: 'terminate-extra'; readonly instanceId: string; readonly toDesired: number }
  | { readonly kind: 'set-desired'; readonly desired: number };

/**
 * What a closing replacement does with the max size it raised: put it back (at least desired capacity,
 * or Auto Scaling would lower desired with it), or leave it to its owner when someone else changed it
 * meanwhile or the group no longer lets Phoenix change it; that is reported.
 */
export type MaxRestore = { readonly kind: 'restore'; readonly maxSize: number } | { readonly kind: 'leave'; readonly maxSize: number; readonly why: string };

export type ProgressStep =
  | { readonly kind: 'wait'; readonly why: string }
  | { readonly kind: 'terminate-surged'; readonly why: string }
  | { readonly kind: 'verified'; readonly recoverySeconds: number; readonly max?: MaxRestore }
  /** Close the record, after taking its surge back when `undo` says how; `quarantine` only for a group still opted in. */
  | { readonly kind: 'failed'; readonly why: string; readonly undo: Undo | undefined; readonly quarantine: boolean; readonly max?: MaxRestore }
  | {
      readonly kind: 'abandon';
      readonly why: string;
      readonly undo: Undo | undefined;
      readonly closeAs: 'abandoned' | 'vanished';
      readonly max?: MaxRestore;
    };

/** Move an open replacement on: the only thing a group with one in flight may do. */
export interface ProgressDecision extends DecisionBase {
  readonly kind: 'progress';
  readonly record: ReplacementRecord;
  readonly step: ProgressStep;
}

export interface SkipDecision extends DecisionBase {
  readonly kind: 'skip';
  readonly reason: SkipReason;
  readonly why: string;
}

export type Decision = StartDecision | ProgressDecision | SkipDecision;

/** How a step takes a surge back, if it does. */
export function undoOf(step: ProgressStep): Undo | undefined {
  return step.kind === 'abandon' || step.kind === 'failed' ? step.undo : undefined;
}

/** What a closing step does with a raised max size, if anything. */
export function maxRestoreOf(step: ProgressStep): MaxRestore | undefined {
  return step.kind === 'verified' || step.kind === 'abandon' || step.kind === 'failed' ? step.max : undefined;
}
