/**
 * The functions' own errors. Both stop the invocation before anything is read or changed, and both
 * name the input, the value found and what was expected; they differ in who must act. Each keeps
 * the error it was found from as its `cause`.
 */

const shown = (value: string | undefined): string => (value === undefined ? '(unset)' : JSON.stringify(value));

/** A deploy parameter that does not parse: the function refuses to start, naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    readonly expected: string,
    options?: ErrorOptions,
  ) {
    super(`${variable}=${shown(value)}: expected ${expected}`, options);
  }
}

/**
 * An invocation's event that is not one the function is wired to receive: that invocation fails,
 * naming the field (`event.time`), and the next one is judged on its own.
 */
export class EventError extends Error {
  override readonly name = 'EventError';

  constructor(
    readonly field: string,
    readonly value: string | undefined,
    readonly expected: string,
    options?: ErrorOptions,
  ) {
    super(`${field}=${shown(value)}: expected ${expected}`, options);
  }
}

/** An error's name and message, for logs, outcomes and ledger details. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** AWS's refusal of a call its policies do not allow (Auto Scaling and most services: AccessDenied; EC2: UnauthorizedOperation). */
export function isRefusal(error: unknown): error is Error {
  return error instanceof Error && /AccessDenied|UnauthorizedOperation/.test(error.name);
}
