// `npm run bench`: the numbers docs/measured.md sets targets for, measured on this
// machine. Prints a table, or one JSON object with --json. Nothing here asserts on time; docs/measured.md
// shows the latest figures. --deadline prints only the deadline model's figures.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { deflateRawSync } from 'node:zlib';
import { planTick } from '../../functions/core/decide/plan.js';
import { seededRandom } from '../../functions/core/decide/random.js';
import { DEFAULT_BREAKER } from '../../functions/core/decide/versions.js';
import type { ReplacementRecord } from '../../functions/core/model.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { NO_ACCOUNT_LIMITS } from '../../functions/core/policy/tags.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { NOW } from '../support/clock.js';
import { requestsPerRun } from './api-calls.js';
import { deadlineCost, deadlineLines, predictionFigures } from './deadline.js';
import { median, syntheticFleet } from './fleet.js';

/** Every Lambda function the build made; each one's package is its directory: index.mjs and the chunks it loads on demand. */
const FUNCTION_DIRECTORIES = readdirSync('dist/functions')
  .sort()
  .map((name) => `dist/functions/${name}`);

/** CPU milliseconds of one pure plan, median of repeated runs after a warm-up. */
function planCost(groups: number, size: number): number {
  const fleet = syntheticFleet(groups, size);
  const runOnce = (seed: number) => {
    const start = process.cpuUsage();
    planTick({
      groups: fleet,
      records: [],
      snoozes: [],
      now: NOW + seed * MINUTE,
      chaosDraws: () => seededRandom(seed),
      tickInterval: 10 * MINUTE,
      globalMode: 'live',
      globalBlock: undefined,
      maxTerminationsPerRun: 1000,
      limits: NO_ACCOUNT_LIMITS,
      explain: false,
      versionBlocks: [],
      breaker: DEFAULT_BREAKER,
      progressOnly: false,
    });
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (let seed = 0; seed < 3; seed += 1) runOnce(seed);
  return median(Array.from({ length: 15 }, (_, seed) => runOnce(seed + 3)));
}

/** Zip's own bytes: a local header (30) and a central directory entry (46) per file, each with its name, and an end record (22). */
const ZIP_BYTES_PER_ENTRY = 30 + 46;
const ZIP_END_BYTES = 22;

function bundleFigures(directory: string): { bundle: string; files: number; rawKB: number; zippedKB: number; coldImportMs: number } {
  const files = readdirSync(directory).map((name) => ({ path: `${directory}/${name}`, content: readFileSync(`${directory}/${name}`) }));
  // The SDK warns about Node 20 on import; Lambda runs 22 or 24, so the warning is not part of the figure.
  // The variables are those the functions check at cold start.
  const env = {
    ...process.env,
    PHOENIX_LEDGER_TABLE: 'bench',
    PHOENIX_MODE: 'dry-run',
    PHOENIX_REPORT_BUCKET: 'bench',
    PHOENIX_REPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:bench',
    AWS_REGION: 'eu-west-1',
    NODE_NO_WARNINGS: '1',
  };
  const script = `const t = performance.now(); await import('./${directory}/index.mjs'); process.stdout.write(String(performance.now() - t));`;
  const times = Array.from({ length: 10 }, () => Number(execFileSync('node', ['--input-type=module', '-e', script], { env }).toString()));
  // The package as Lambda gets it: every file deflated, plus the zip's headers.
  const zipped = files.reduce(
    (sum, file) => sum + deflateRawSync(file.content, { level: 9 }).length + ZIP_BYTES_PER_ENTRY + 2 * Buffer.byteLength(file.path),
    ZIP_END_BYTES,
  );
  return {
    bundle: `${directory}/`,
    files: files.length,
    rawKB: Math.round(files.reduce((sum, file) => sum + file.content.length, 0) / 1024),
    zippedKB: Math.round(zipped / 1024),
    coldImportMs: Math.round(median(times) * 10) / 10,
  };
}

/** Most replacements of one group open at the same moment, from the ledger's start and close times. */
function mostInFlight(records: readonly ReplacementRecord[], until: number): number {
  const byGroup = new Map<string, { at: number; change: number }[]>();
  for (const record of records) {
    if (record.mode !== 'live') continue;
    const edges = byGroup.get(record.group) ?? [];
    edges.push({ at: record.startedAt, change: 1 }, { at: record.closedAt ?? until, change: -1 });
    byGroup.set(record.group, edges);
  }
  let most = 0;
  for (const edges of byGroup.values()) {
    let open = 0;
    // Closes before opens at the same instant: a replacement that ends as the next starts is not an overlap.
    for (const edge of edges.sort((a, b) => a.at - b.at || a.change - b.change)) {
      open += edge.change;
      most = Math.max(most, open);
    }
  }
  return most;
}

async function simulatedWeek() {
  const result = await simulate(DEFAULT_SIMULATION);
  const end = DEFAULT_SIMULATION.start + DEFAULT_SIMULATION.days * DAY;
  const perDay = Array.from({ length: DEFAULT_SIMULATION.days }, () => 0);
  // Counted from the simulator's own log: terminations happen in recycler ticks and verifier runs alike.
  for (const call of result.calls) {
    if (call.kind !== 'terminate' || call.outcome !== 'ok') continue;
    const day = Math.floor((call.at - DEFAULT_SIMULATION.start) / DAY);
    perDay[day] = (perDay[day] ?? 0) + 1;
  }
  return {
    withinMaxAgePct: result.summary.withinMaxAgePct,
    violations: Object.values(result.summary.violations).reduce((sum, count) => sum + count, 0),
    mostReplacementsInFlightPerGroup: mostInFlight(result.records, end),
    terminationsPerDay: perDay,
    recoveryP50Seconds: result.summary.recoveries.p50Seconds,
    recoveryP95Seconds: result.summary.recoveries.p95Seconds,
  };
}

const json = process.argv.includes('--json');
const full = process.argv.includes('--full');
const deadline = { cpuMs: [deadlineCost(1_000, 10), deadlineCost(10_000, 10)], prediction: await predictionFigures() };
// --deadline: the deadline model's figures alone, without moto or the bundles.
if (process.argv.includes('--deadline')) {
  process.stdout.write(json ? `${JSON.stringify(deadline, null, 2)}\n` : `${deadlineLines(deadline.cpuMs, deadline.prediction).join('\n')}\n`);
  process.exit(0);
}
const figures = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  planCpuMs: [
    { groups: 1_000, instances: 10_000, medianMs: planCost(1_000, 10) },
    { groups: 10_000, instances: 100_000, medianMs: planCost(10_000, 10) },
  ],
  bundles: FUNCTION_DIRECTORIES.map(bundleFigures),
  simulatedWeek: await simulatedWeek(),
  deadline,
  requestsPerRun: [...(await requestsPerRun(150)), ...(full ? await requestsPerRun(1_500) : [])],
};

if (json) {
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} else {
  const lines = [
    `Phoenix bench on ${figures.machine}`,
    '',
    'plan (pure, CPU ms, median of 15)   target < 100 ms for 10k groups / 100k instances',
    ...figures.planCpuMs.map(
      (row) => `  ${String(row.groups).padStart(6)} groups / ${String(row.instances).padStart(7)} instances: ${row.medianMs.toFixed(1)} ms`,
    ),
    '',
    'bundles                             targets: zip < 400 KB, cold import < 150 ms',
    ...figures.bundles.map(
      (row) =>
        `  ${row.bundle.padEnd(24)} ${row.files} files, raw ${row.rawKB} KB, zipped ${row.zippedKB} KB, cold import of index.mjs ${row.coldImportMs} ms (median of 10)`,
    ),
    '',
    'simulated week, 50 groups / 1,000 instances   target >= 99.9% within max-age + 1 tick',
    `  within max-age + 1 tick: ${figures.simulatedWeek.withinMaxAgePct}%, violations ${figures.simulatedWeek.violations}, most replacements in flight in one group ${figures.simulatedWeek.mostReplacementsInFlightPerGroup}`,
    `  terminations per day: ${figures.simulatedWeek.terminationsPerDay.join(', ')}; replacement p50 ${figures.simulatedWeek.recoveryP50Seconds}s, p95 ${figures.simulatedWeek.recoveryP95Seconds}s`,
    '',
    ...deadlineLines(figures.deadline.cpuMs, figures.deadline.prediction),
    '',
    'AWS requests per run against moto   targets: fleet calls <= bound; DynamoDB reads <= bound (a tick 2, a sweep 1 + groups it moves)',
    ...figures.requestsPerRun.map(
      (row) =>
        `  ${row.groups} groups x 4, ${row.case}: fleet ${row.fleetCalls} (bound ${row.fleetBound}), DynamoDB reads ${row.dynamoReads} ` +
        `(bound ${row.dynamoReadBound}) + writes ${row.dynamoWrites}, SSM ${row.byService.ssm}, EventBridge ${row.byService.eventbridge}, ` +
        `CloudWatch ${row.byService.cloudwatch}${row.motoOnlyPages === 0 ? '' : `; ${row.motoOnlyPages} moto-only DescribeInstances pages left out`}\n` +
        `    ${Object.entries(row.byOperation)
          .map(([name, count]) => `${name.replace(/Command$/, '')} ${count}`)
          .join(', ')}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
