import { GetFunctionConfigurationCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { SETTINGS } from '../app/account-settings.js';
import type { DeployedRecycler, InvokeResult, RecyclerFacts } from '../cli/selftest/ports.js';
import type { SelftestRequest } from '../core/selftest/request.js';

/** The recycler osls deployed for a stage: its configuration read from Lambda, and a direct invocation with a self-test event. */
export class LambdaDeployedRecycler implements DeployedRecycler {
  constructor(
    private readonly client: LambdaClient,
    /** `phoenix-<stage>-recycler`, as osls names a stage's function. */
    private readonly functionName: string,
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
    const ledgerTable = value(SETTINGS.ledgerTable.variable.name);
    if (ledgerTable === undefined) throw new Error(`${this.functionName} has no ${SETTINGS.ledgerTable.variable.name}: it is not a Phoenix recycler`);
    return {
      functionName: this.functionName,
      ledgerTable,
      modeParameter: value(SETTINGS.modeParameter.variable.name),
      fixedMode: value(SETTINGS.mode.variable.name),
      stopAlarms: (value(SETTINGS.stopAlarms.variable.name) ?? '')
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
