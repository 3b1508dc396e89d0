/**
 * The CLI's own errors. `main` tells them apart by type: bad input exits 2 with the message alone,
 * anything else exits 1. Each keeps the error it was found from as its `cause`.
 */

/** Bad command-line input: exit code 2, with a message naming the argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The ledger table a command was pointed at does not exist in this account and region. */
export class LedgerTableMissingError extends Error {
  override readonly name = 'LedgerTableMissingError';

  constructor(
    readonly table: string,
    cause: Error,
  ) {
    super(`ledger table ${table} not found (pass --stage or --table, or set PHOENIX_LEDGER_TABLE): ${cause.message}`, { cause });
  }
}

/** No ledger table was named and none of a deployed stack was found. */
export class LedgerNotFoundError extends Error {
  override readonly name = 'LedgerNotFoundError';

  constructor(readonly how: string) {
    super(`no ledger to read: ${how}`);
  }
}

/** The stack `phoenix selftest` was pointed at is not there, or not whole, or the caller may not read it: one line says which. */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
}

/** DynamoDB's answer when the named table does not exist. */
export function isMissingTable(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}
