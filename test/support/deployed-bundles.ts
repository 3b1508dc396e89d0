import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { errorText } from '../../functions/app/errors.js';
import type { DeployedRecycler, DeployedTainter, InvokeResult, RecyclerFacts } from '../../functions/cli/selftest/ports.js';
import type { SelftestRequest } from '../../functions/core/selftest/request.js';
import type { TaintProbeRequest } from '../../functions/core/selftest/taint-probe.js';
import { ROOT } from '../deploy/stack.js';
import { MOTO_CLIENT_CONFIG } from './moto.js';

/**
 * The built function bundles (dist/), invoked in this process in place of Lambda, which moto cannot
 * run. Every invocation is a cold start: the bundle is imported afresh under the function's
 * environment, which stays set while it runs (the SDK reads its endpoint at the first call).
 */

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 60_000, functionName: 'phoenix', awsRequestId: 'selftest' };
let coldStarts = 0;

/** What one invocation wrote on stdout and stderr, line by line, as Lambda hands it to CloudWatch Logs. */
export interface InvocationOutput {
  readonly coldStart: number;
  readonly lines: readonly { readonly at: number; readonly text: string }[];
}

/**
 * Invokes a bundle; with `output`, what it writes while it runs is taken from this process's stdout and
 * stderr and handed to `output` instead, as Lambda takes a function's output to its log group.
 */
export async function invokeBundle(
  fn: 'recycler' | 'verifier' | 'tainter',
  env: Readonly<Record<string, string>>,
  event: unknown,
  output?: (written: InvocationOutput) => Promise<void>,
): Promise<unknown> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  coldStarts += 1;
  const coldStart = coldStarts;
  const lines: { at: number; text: string }[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  if (output !== undefined)
    for (const stream of streams)
      stream.write = ((chunk: string | Uint8Array) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        for (const line of text.split('\n')) if (line.trim() !== '') lines.push({ at: Date.now(), text: line });
        return true;
      }) as typeof stream.write;
  try {
    const url = `${pathToFileURL(join(ROOT, `dist/functions/${fn}/index.mjs`)).href}?cold=${coldStart}`;
    const { handler } = (await import(url)) as { handler: Handler };
    return await handler(event, LAMBDA_CONTEXT);
  } finally {
    streams.forEach((stream, index) => {
      stream.write = writes[index] as typeof stream.write;
    });
    process.env = saved;
    if (output !== undefined) await output({ coldStart, lines });
  }
}

/** A deployed function behind Invoke: a self-test event to the built bundle, its answer or its failure read back. */
async function invokeSelftest(fn: 'recycler' | 'tainter', env: Readonly<Record<string, string>>, event: unknown): Promise<InvokeResult> {
  try {
    return { ok: true, answer: (await invokeBundle(fn, env, event)) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: errorText(error) };
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
      return invokeSelftest('recycler', env, event);
    },
  };
}

/** The deployed tainter as the self-test sees it: the built bundle behind Invoke. */
export function bundledTainter(functionName: string, env: Readonly<Record<string, string>>): DeployedTainter & { readonly events: unknown[] } {
  const events: unknown[] = [];
  return {
    functionName,
    events,
    deployed: async () => true,
    invoke: async (request: TaintProbeRequest): Promise<InvokeResult> => {
      const event = { selftest: request };
      events.push(event);
      return invokeSelftest('tainter', env, event);
    },
  };
}

/** Lambda's hand-over of an invocation's output to the function's log group: one stream a cold start, one event a line. */
export function lambdaLogs(endpoint: string, functionName: string): (written: InvocationOutput) => Promise<void> {
  const logs = new CloudWatchLogsClient({ ...MOTO_CLIENT_CONFIG, endpoint });
  const logGroupName = `/aws/lambda/${functionName}`;
  let created = false;
  return async ({ coldStart, lines }) => {
    if (!created) await logs.send(new CreateLogGroupCommand({ logGroupName }));
    created = true;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${coldStart.toString(16).padStart(32, '0')}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    if (lines.length > 0)
      await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: lines.map(({ at, text }) => ({ timestamp: at, message: text })) }));
  };
}
