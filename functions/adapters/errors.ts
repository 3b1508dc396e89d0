import { GLOBAL_MODES } from '../core/policy/global-gate.js';

/**
 * The adapters' own errors, each carrying what it names as data. A failed AWS call itself is
 * passed on as the SDK threw it, or as the `cause` of one of these.
 */

/**
 * A configured stop alarm does not exist. A typo in its name would otherwise silently disable the
 * stop condition, so the check fails and the tick blocks terminations until it is fixed.
 */
export class MissingStopAlarmError extends Error {
  override readonly name = 'MissingStopAlarmError';
  readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super(
      `stop alarm${missing.length === 1 ? '' : 's'} not found in CloudWatch: ${missing.join(', ')}; terminations stay blocked until every configured alarm exists`,
    );
    this.missing = missing;
  }
}

/** The mode parameter holds a value the functions do not understand: terminations stop until it is fixed. */
export class ModeParameterError extends Error {
  override readonly name = 'ModeParameterError';

  constructor(
    readonly parameter: string,
    readonly value: string | undefined,
  ) {
    super(`SSM parameter ${parameter}=${value === undefined ? '(no value)' : JSON.stringify(value)}: expected ${GLOBAL_MODES.join(', ')}`);
  }
}

/** A stored ledger item that is not a record this adapter wrote; names the item and every problem found. */
export class LedgerItemError extends Error {
  override readonly name = 'LedgerItemError';
}

export interface FailedEvent {
  readonly detailType: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Some events could not be published; `cause` is set when a whole PutEvents call threw. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  readonly failed: readonly FailedEvent[];

  constructor(failed: readonly FailedEvent[], total: number, cause?: unknown) {
    const list = failed.map((entry) => `${entry.detailType} (${entry.errorCode}${entry.errorMessage === '' ? '' : `: ${entry.errorMessage}`})`);
    super(`failed to publish ${failed.length} of ${total} events: ${list.join('; ')}`, cause === undefined ? undefined : { cause });
    this.failed = failed;
  }
}
