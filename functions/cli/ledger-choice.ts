import { SETTINGS } from '../app/account-settings.js';
import { type OptionValues, textOption } from './arguments.js';
import { LedgerNotFoundError, UsageError } from './errors.js';

/** --stage and --table, as every command that reads the ledger takes them. */
export const LEDGER_OPTIONS = {
  stage: { type: 'string' },
  table: { type: 'string' },
} as const;

/**
 * The names CloudFormation gives the ledger (the template names no table): `<stack>-LedgerTable-<suffix>`,
 * for stack phoenix-<stage> as osls deploys it (stage names are letters, digits and hyphens), or
 * StackSet-phoenix-<id> as the organisation's StackSet does, whose stage the name does not tell.
 */
const DEPLOYED_LEDGER = /^(phoenix-([A-Za-z0-9-]+)|StackSet-phoenix-[0-9a-f-]+)-LedgerTable-[A-Za-z0-9]+$/;

export interface DeployedLedger {
  readonly stack: string;
  readonly stage: string | undefined;
  readonly table: string;
}

/** The ledger tables of deployed Phoenix stacks among a region's tables. */
export function deployedLedgers(tables: readonly string[]): DeployedLedger[] {
  return tables.flatMap((table) => {
    const match = DEPLOYED_LEDGER.exec(table);
    return match === null ? [] : [{ stack: match[1] as string, stage: match[2], table }];
  });
}

/** Finding the ledger by name needs dynamodb:ListTables, which an operator's role may lack: name the way round it. */
function listingFailure(error: unknown): unknown {
  if (!(error instanceof Error) || !/AccessDenied|UnauthorizedOperation/.test(error.name)) return error;
  return new LedgerNotFoundError(
    `the region's tables cannot be listed to find it (${error.name}): pass --table NAME, the LedgerTableName output of stack phoenix-<stage>`,
  );
}

/** Which ledger a command reads and how it was chosen, said on stderr so a user knows what was read. */
export interface LedgerChoice {
  /** Undefined when no stack is deployed here: a plan goes on without a ledger, a report cannot. */
  readonly table: string | undefined;
  readonly how: string;
}

/**
 * --table, else PHOENIX_LEDGER_TABLE, else the deployed stack's ledger found by name: the one of
 * --stage, or the only one in the region. Lists the region's tables only when it must.
 */
export async function chooseLedger(values: OptionValues, listTables: () => Promise<readonly string[]>): Promise<LedgerChoice> {
  const table = textOption(values, 'table');
  const stage = textOption(values, 'stage');
  if (table !== undefined && stage !== undefined) throw new UsageError('--table and --stage: expected one of them, not both');
  if (table !== undefined) return { table, how: '--table' };
  const variable = SETTINGS.ledgerTable.variable.name;
  const fromEnvironment = process.env[variable];
  if (stage === undefined && fromEnvironment !== undefined && fromEnvironment !== '') return { table: fromEnvironment, how: variable };
  let tables: readonly string[];
  try {
    tables = await listTables();
  } catch (error) {
    throw listingFailure(error);
  }
  const ledgers = deployedLedgers(tables);
  const stacks = ledgers.map((ledger) => ledger.stack).join(', ');
  if (stage !== undefined) {
    const found = ledgers.find((ledger) => ledger.stage === stage);
    // A stage asked for by name and not found is a mistake to stop at, not a plan without budgets.
    if (found === undefined)
      throw new LedgerNotFoundError(`no stack phoenix-${stage} in this region (${ledgers.length === 0 ? 'no Phoenix stack here' : `stacks here: ${stacks}`})`);
    return { table: found.table, how: `stack ${found.stack}` };
  }
  const [only, ...more] = ledgers;
  if (only === undefined) return { table: undefined, how: 'no Phoenix stack deployed in this region (pass --region, --stage or --table)' };
  if (more.length > 0) throw new UsageError(`several Phoenix stacks in this region (${stacks}): pass --stage or --table to choose one`);
  return { table: only.table, how: `the only Phoenix stack in this region, ${only.stack}` };
}
