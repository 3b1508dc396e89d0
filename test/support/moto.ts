import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type MotoServer, startMoto } from './moto-server.js';

export { MOTO_CLIENT_CONFIG } from './moto-server.js';

/** One moto server per test file, reset before each test so tests cannot see each other's resources. */
export function useMoto(): () => MotoServer {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto();
  }, 40_000);
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    await server?.reset();
  });
  return () => {
    if (server === undefined) throw new Error('moto server not started: call useMoto() at the top of the test file');
    return server;
  };
}
