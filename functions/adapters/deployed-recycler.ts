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

/**
 * A function osls deployed for a stage, as `phoenix selftest` reaches it: its configuration read from
 * Lambda, and a direct invocation with a self-test event (`{"selftest": request}`) whose answer or
 * failure is read back.
 */
export class LambdaSelftestFunction<Request> {
  constructor(
    protected readonly client: LambdaClient,
    /** `phoenix-<stage>-<function>`, as osls names a stage's function. */
    readonly functionName: string,
  ) {}

  /** The function's environment variables; undefined when no such function is deployed. */
  async environment(): Promise<Readonly<Record<string, string>> | undefined> {
    try {
      const answer = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.functionName }));
      return answer.Environment?.Variables ?? {};
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async deployed(): Promise<boolean> {
    return (await this.environment()) !== undefined;
  }

  async invoke(request: Request): Promise<InvokeResult> {
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

/** The recycler osls deployed for a stage: what it was deployed with, and its self-test event. */
export class LambdaDeployedRecycler extends LambdaSelftestFunction<SelftestRequest> {
  constructor(
    client: LambdaClient,
    functionName: string,
    private readonly variablesNamed: RecyclerVariables,
  ) {
    super(client, functionName);
  }

  async facts(): Promise<RecyclerFacts | undefined> {
    const variables = await this.environment();
    if (variables === undefined) return undefined;
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
}
