import { GetFunctionConfigurationCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SelftestRequest } from '../core/selftest/request.js';

/** What the deployed recycler was deployed with, as its environment says. */
export interface RecyclerFacts {
  readonly functionName: string;
  readonly ledgerTable: string;
  /** The SSM parameter holding the global mode, or undefined when the mode is fixed at deploy time. */
  readonly modeParameter: string | undefined;
  readonly fixedMode: string | undefined;
  readonly stopAlarms: readonly string[];
}

export type InvokeResult = { readonly ok: true; readonly answer: Readonly<Record<string, unknown>> } | { readonly ok: false; readonly error: string };

/** The environment variables the facts are read from (the account settings name them). */
export interface RecyclerVariables {
  readonly ledgerTable: string;
  readonly modeParameter: string;
  readonly mode: string;
  readonly stopAlarms: string;
}

/** The recycler osls deployed for a stage: its configuration read from Lambda, and a direct invocation with a self-test event. */
export class LambdaDeployedRecycler {
  constructor(
    private readonly client: LambdaClient,
    /** `phoenix-<stage>-recycler`, as osls names a stage's function. */
    private readonly functionName: string,
    private readonly variablesNamed: RecyclerVariables,
  ) {}

  async facts(): Promise<RecyclerFacts | undefined> {
    let variables: Readonly<Record<string, string>>;
    try {
      const answer = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.functionName }));
      variables = answer.Environment?.Variables ?? {};
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    const value = (name: string): string | undefined => (variables[name]?.trim() === '' ? undefined : variables[name]?.trim());
    const named = this.variablesNamed;
    const ledgerTable = value(named.ledgerTable);
    if (ledgerTable === undefined) throw new Error(`${this.functionName} has no ${named.ledgerTable}: it is not a Phoenix recycler`);
    return {
      functionName: this.functionName,
      ledgerTable,
      modeParameter: value(named.modeParameter),
      fixedMode: value(named.mode),
      stopAlarms: (value(named.stopAlarms) ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    };
  }

  async invoke(request: SelftestRequest): Promise<InvokeResult> {
    const answer = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, Payload: new TextEncoder().encode(JSON.stringify({ selftest: request })) }),
    );
    const text = answer.Payload === undefined ? '' : new TextDecoder().decode(answer.Payload);
    const payload = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (answer.FunctionError !== undefined)
      return { ok: false, error: `${String(payload['errorType'] ?? answer.FunctionError)}: ${String(payload['errorMessage'] ?? '')}` };
    return { ok: true, answer: payload };
  }
}
