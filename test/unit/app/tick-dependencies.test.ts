import { describe, expect, it } from 'vitest';
import { parseRecyclerConfig } from '../../../functions/app/config.js';
import type { TickResult } from '../../../functions/app/tick.js';
import { measuredRun, tickDependencies } from '../../../functions/app/tick-dependencies.js';
import type { MetricPoint } from '../../../functions/core/ports.js';
import { RecordingLogger } from '../../support/fakes.js';
import { group, NOW, record } from '../../support/fleet.js';

/** The composition root over real (never called) clients, with the metrics and log lines recorded. */
function world() {
  const published: MetricPoint[] = [];
  const logger = new RecordingLogger();
  const deps = tickDependencies(parseRecyclerConfig({ PHOENIX_LEDGER_TABLE: 'ledger', PHOENIX_MODE: 'live', AWS_REGION: 'eu-west-1' }), 'verifier');
  const recorded = {
    ...deps,
    logger,
    telemetry: { ...deps.telemetry, metrics: { publish: (points: readonly MetricPoint[]) => void published.push(...points) } },
  };
  return { deps: recorded, published, logger };
}

const result = (outcomes: TickResult['outcomes']): TickResult => ({
  at: NOW,
  mode: 'live',
  block: undefined,
  decisions: [],
  outcomes,
  groups: [group()],
  blockedVersions: 0,
});

describe('measuredRun', () => {
  it("publishes the run's metrics under its role, then logs and returns the summary", async () => {
    const { deps, published, logger } = world();
    const summary = await measuredRun(deps, async () => result([{ group: 'web', kind: 'closed', record: record({ phase: 'verified' }) }]));
    expect(summary).toMatchObject({ closed: 1, failed: 0 });
    expect(published).toContainEqual(expect.objectContaining({ name: 'TickDurationMs', unit: 'Milliseconds', dimensions: { function: 'verifier' } }));
    expect(published).toContainEqual({ name: 'ApiCalls', unit: 'Count', value: 0, dimensions: { function: 'verifier' } });
    expect(published).toContainEqual({ name: 'RecoverySeconds', unit: 'Seconds', value: 1200, group: 'web' });
    expect(logger.lines.map((line) => line.message)).toEqual(['run done']);
  });

  it('publishes the metrics of a run with a failed action before the invocation fails', async () => {
    const { deps, published } = world();
    const failed = { group: 'web', kind: 'failed' as const, why: 'could not terminate i-1', cause: new Error('throttled') };
    await expect(measuredRun(deps, async () => result([failed]))).rejects.toThrow('1 action(s) failed');
    expect(published.map((point) => point.name)).toContain('TickDurationMs');
  });
});
