import type { Decision, Undo } from '../core/decide/decision.js';
import { maxRestoreOf, undoOf } from '../core/decide/decision.js';
import type { Logger } from '../core/ports.js';

/** One structured line per decision, including "nothing to do and why". */
export function logDecision(logger: Logger, decision: Decision): void {
  switch (decision.kind) {
    case 'start':
      logger.info(decision.dryRun ? 'would recycle (dry-run)' : 'recycling', {
        group: decision.group,
        instance: decision.instanceId,
        reason: decision.reason,
        why: decision.why,
        method: decision.method,
      });
      return;
    case 'progress': {
      const undo = undoOf(decision.step);
      const max = maxRestoreOf(decision.step);
      logger.info('replacement in flight', {
        group: decision.group,
        instance: decision.record.instanceId,
        step: decision.step.kind,
        why: 'why' in decision.step ? decision.step.why : `recovered in ${decision.step.recoverySeconds}s`,
        ...(undo === undefined ? {} : { undo: describeUndo(undo) }),
        ...(max === undefined ? {} : { maxSize: max.kind === 'restore' ? `back to ${max.maxSize}` : max.why }),
      });
      return;
    }
    case 'skip':
      logger.info('not terminating', { group: decision.group, reason: decision.reason, why: decision.why });
  }
}

export function describeUndo(undo: Undo): string {
  return undo.kind === 'set-desired'
    ? `desired capacity back to ${undo.desired}`
    : `terminating the surge's extra instance ${undo.instanceId}, desired capacity back to ${undo.toDesired}`;
}
