import { describe, expect, it, vi } from 'vitest';
import { CREDENTIALS, cli, NO_AWS } from '../../support/cli.js';

// The SDK checks the Node version once per process, when its first client is made: this file makes none before.
describe('the SDK version warning', () => {
  it('is not printed under any Node the CLI supports', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      await cli(['plan', '--region', 'eu-west-1', '--endpoint', 'http://127.0.0.1:9'], {
        ...NO_AWS,
        ...CREDENTIALS,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
      });
      expect(warn.mock.calls.map((call) => String(call[0]))).not.toContainEqual(expect.stringContaining('NodeVersionSupportWarning'));
    } finally {
      warn.mockRestore();
    }
  });
});
