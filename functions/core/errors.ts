/**
 * The core's own errors: each names what was wrong and carries it as data, so a caller decides
 * which of its inputs to blame by the error's type, never by its wording. Both are RangeErrors, as
 * the values are of the right type but outside what the calendar allows.
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
