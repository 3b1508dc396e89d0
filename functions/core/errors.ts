/**
 * The core's own errors: each names what was wrong and carries it as data, so a caller decides
 * which of its inputs to blame by the error's type, never by its wording. The calendar's two are
 * RangeErrors, as their values are of the right type but outside what the calendar allows.
 */

/** A time zone the runtime's tz data does not know. */
export class TimeZoneError extends RangeError {
  override readonly name = 'TimeZoneError';

  constructor(
    readonly timeZone: string,
    options?: ErrorOptions,
  ) {
    super(`time zone ${JSON.stringify(timeZone)} is not valid: expected an IANA time zone such as Europe/Berlin or UTC`, options);
  }
}

/** An ISO week that is not written `YYYY-Www`, or that its year does not have. */
export class IsoWeekError extends RangeError {
  override readonly name = 'IsoWeekError';

  constructor(
    readonly week: string,
    readonly problem: string,
  ) {
    super(`week ${JSON.stringify(week)} is not valid: ${problem}`);
  }
}

/** A phoenix tag whose value (or key) does not parse; the message names the tag, the value and what was expected. */
export class TagValueError extends Error {
  override readonly name = 'TagValueError';
  readonly tag: string;
  readonly value: string;
  readonly expected: string;

  constructor(tag: string, value: string, expected: string) {
    super(`${tag}=${JSON.stringify(value)}: expected ${expected}`);
    this.tag = tag;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * Auto Scaling refused to terminate an instance because it is no longer there to terminate (gone, or
 * already terminating by another hand): the call changed nothing, and the instance is not Phoenix's recycle.
 */
export class InstanceGoneError extends Error {
  override readonly name = 'InstanceGoneError';

  constructor(
    readonly instanceId: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * AWS refused a call before doing anything with it (throttled, after the SDK's own retries): unlike a
 * timeout, it cannot have landed, so the step it was for can be taken again at once.
 */
export class CallRefusedError extends Error {
  override readonly name = 'CallRefusedError';

  constructor(
    readonly operation: string,
    options: { readonly cause: unknown },
  ) {
    super(
      `${operation} refused before it did anything: ${options.cause instanceof Error ? `${options.cause.name}: ${options.cause.message}` : String(options.cause)}`,
      options,
    );
  }
}
