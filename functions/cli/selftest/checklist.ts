import type { Millis } from '../../core/model.js';

/** One line of the checklist: passed or failed, with the evidence (ids, times, the AWS error seen). */
export interface CheckResult {
  readonly step: string;
  readonly passed: boolean;
  readonly evidence: string;
  /** How long the step took, measured from its start. */
  readonly seconds: number;
}

/** What was made and whether it was removed: names, so that a person can find or remove them by hand. */
export interface MadeResources {
  /** Named once its creation was asked for: a call that timed out may still have made it. */
  readonly launchTemplate: string | undefined;
  readonly groups: readonly string[];
  /** The standalone instance's id, once EC2 gave one. */
  readonly instance: string | undefined;
  /** The standalone instance's Name, once its launch was asked for: a launch whose answer was lost may still have made it. */
  readonly standalone: string | undefined;
}

export interface CleanupResult {
  readonly kept: boolean;
  /** What could not be removed, each with the AWS error; empty when everything went. */
  readonly failures: readonly string[];
  /** Commands that remove what is left (printed with --keep, or after a failed removal). */
  readonly removal: readonly string[];
}

export interface SelftestReport {
  readonly stage: string;
  readonly region: string;
  readonly passed: boolean;
  readonly checks: readonly CheckResult[];
  readonly resources: MadeResources;
  readonly cleanup: CleanupResult;
  /** Set when the run stopped before its last step: an interrupt or a step that could not go on. */
  readonly stoppedBecause: string | undefined;
}

export function madeNames(made: MadeResources): string[] {
  return [...(made.instance === undefined ? [] : [made.instance]), ...made.groups, ...(made.launchTemplate === undefined ? [] : [made.launchTemplate])];
}

export function secondsBetween(from: Millis, to: Millis): number {
  return Math.round((to - from) / 100) / 10;
}

/** The checklist as a person reads it: one line a step, then what was cleaned up or how to remove it. */
export function formatReport(report: SelftestReport): string {
  const lines = report.checks.map((check) => `${check.passed ? 'PASS' : 'FAIL'}  ${check.step} (${check.seconds}s): ${check.evidence}`);
  if (report.stoppedBecause !== undefined) lines.push(`STOP  ${report.stoppedBecause}`);
  const { cleanup } = report;
  if (cleanup.kept) lines.push('', 'kept for inspection; remove them with:', ...cleanup.removal.map((command) => `  ${command}`));
  else if (cleanup.failures.length > 0)
    lines.push('', `cleanup failed: ${cleanup.failures.join('; ')}`, 'remove what is left with:', ...cleanup.removal.map((command) => `  ${command}`));
  else lines.push('', `cleaned up: ${madeNames(report.resources).join(', ') || 'nothing was made'}`);
  const failed = report.checks.filter((check) => !check.passed).length;
  lines.push(
    report.passed
      ? `phoenix selftest passed: ${report.checks.length} checks in stage ${report.stage}, ${report.region}`
      : `phoenix selftest failed: ${failed} of ${report.checks.length} checks failed${report.stoppedBecause === undefined ? '' : ', and it stopped early'}`,
  );
  return lines.join('\n');
}
