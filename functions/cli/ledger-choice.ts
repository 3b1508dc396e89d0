import { SETTINGS } from '../app/account-settings.js';
import { type OptionValues, textOption } from './arguments.js';
import { LedgerNotFoundError, UsageError } from './errors.js';

/** --stage and --table, as every command that reads the ledger takes them. */
export const LEDGER_OPTIONS = {
  stage: { type: 'string' },
  table: { type: 'string' },
} as const;

/**
 * The name CloudFormation gives the ledger of stack phoenix-<stage> (service phoenix, the template
 * names no table): `<stack>-LedgerTable-<suffix>`. Stage names are letters, digits and hyphens.
 */
const DEPLOYED_LEDGER = /^phoenix-([A-Za-z0-9-]+)-LedgerTable-[A-Za-z0-9]+$/;

/** The ledger tables of deployed Phoenix stacks among a region's tables, by stage. */
export function deployedLedgers(tables: readonly string[]): { readonly stage: string; readonly table: string }[] {
  return tables.flatMap((table) => {
    const stage = DEPLOYED_LEDGER.exec(table)?.[1];
    return stage === undefined ? [] : [{ stage, table }];
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
  if (stage !== undefined) {
    const found = ledgers.find((ledger) => ledger.stage === stage);
    const others = ledgers.length === 0 ? 'none deployed here' : `deployed stages here: ${ledgers.map((ledger) => ledger.stage).join(', ')}`;
    // A stage asked for by name and not found is a mistake to stop at, not a plan without budgets.
    if (found === undefined) throw new LedgerNotFoundError(`no ledger of stage ${stage} in this region (${others})`);
    return { table: found.table, how: `stage ${stage}` };
  }
  const [only, ...more] = ledgers;
  if (only === undefined) return { table: undefined, how: 'no Phoenix stack deployed in this region (pass --region, --stage or --table)' };
  if (more.length > 0) {
    throw new UsageError(`several Phoenix ledgers in this region, of stages ${ledgers.map((ledger) => ledger.stage).join(', ')}: pass --stage to choose one`);
  }
  return { table: only.table, how: `the only Phoenix stack in this region, stage ${only.stage}` };
}
