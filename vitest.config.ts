import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Week-long simulations take seconds of CPU, more on a loaded 2-core machine; a hang still fails.
    testTimeout: 60_000,
  },
});
