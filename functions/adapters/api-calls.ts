import type { MetadataBearer, MiddlewareStack } from '@smithy/types';

/** The part of an SDK v3 client this needs: its middleware stack. */
interface WithMiddleware {
  readonly middlewareStack: MiddlewareStack<object, MetadataBearer>;
}

/**
 * Counts the AWS API calls of a run: one per command sent, whatever the SDK's retries make of it, so
 * the figure compares with the bound of calls a tick should need.
 */
export class ApiCallCounter {
  private count = 0;

  /** Counts every command the client sends from now on; returns the client. */
  watch<Client extends WithMiddleware>(client: Client): Client {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.count += 1;
        return next(args);
      },
      { step: 'initialize', name: 'phoenixApiCallCounter' },
    );
    return client;
  }

  /** The calls since the last take, and a fresh count for the next run. */
  take(): number {
    const count = this.count;
    this.count = 0;
    return count;
  }
}
