import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorText } from '../../functions/app/errors.js';
import type { DeployedRecycler, InvokeResult, RecyclerFacts } from '../../functions/cli/selftest/ports.js';
import type { SelftestRequest } from '../../functions/core/selftest/request.js';
import { ROOT } from '../deploy/stack.js';

/**
 * The built function bundles (dist/), invoked in this process in place of Lambda, which moto cannot
 * run. Every invocation is a cold start: the bundle is imported afresh under the function's
 * environment, which stays set while it runs (the SDK reads its endpoint at the first call).
 */

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 60_000, functionName: 'phoenix', awsRequestId: 'selftest' };
let coldStarts = 0;

export async function invokeBundle(fn: 'recycler' | 'verifier', env: Readonly<Record<string, string>>, event: unknown): Promise<unknown> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    coldStarts += 1;
    const url = `${pathToFileURL(join(ROOT, `dist/functions/${fn}/index.mjs`)).href}?cold=${coldStarts}`;
    const { handler } = (await import(url)) as { handler: Handler };
    return await handler(event, LAMBDA_CONTEXT);
  } finally {
    process.env = saved;
  }
}

/** The deployed recycler as the self-test sees it: its configuration, and the built bundle behind Invoke. */
export function bundledRecycler(facts: RecyclerFacts, env: Readonly<Record<string, string>>): DeployedRecycler & { readonly events: unknown[] } {
  const events: unknown[] = [];
  return {
    events,
    facts: async () => facts,
    invoke: async (request: SelftestRequest): Promise<InvokeResult> => {
      const event = { selftest: request };
      events.push(event);
      try {
        return { ok: true, answer: (await invokeBundle('recycler', env, event)) as Record<string, unknown> };
      } catch (error) {
        return { ok: false, error: errorText(error) };
      }
    },
  };
}
