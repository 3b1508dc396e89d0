// `npm run bench`: the numbers the README's performance table sets targets for, measured on this
// machine. Prints a table, or one JSON object with --json. Nothing here asserts on time; the README
// shows the latest figures.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { deflateRawSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { runTick } from '../../functions/app/tick.js';
import { planTick } from '../../functions/core/decide/plan.js';
import { seededRandom } from '../../functions/core/decide/random.js';
import type { Group, Instance, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import { NO_ACCOUNT_LIMITS } from '../../functions/core/policy/tags.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { SimAlarms } from '../../sim/sim-alarms.js';
import { SimSettings } from '../../sim/sim-settings.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { addGroup, awsClients, countCalls, launchTemplate } from '../support/aws-fixtures.js';
import { NOW } from '../support/clock.js';
import { OPTED_IN } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, startMoto } from '../support/moto-server.js';

/** Every Lambda function the build made; each one's package is its directory: index.mjs and the chunks it loads on demand. */
const FUNCTION_DIRECTORIES = readdirSync('dist/functions')
  .sort()
  .map((name) => `dist/functions/${name}`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function syntheticFleet(groups: number, size: number): Group[] {
  const random = seededRandom(42);
  const windows = [undefined, 'Mon-Fri 08:00-18:00 Europe/Berlin', 'daily 00:00-24:00 UTC'];
  return Array.from({ length: groups }, (_, g) => {
    const instances: Instance[] = Array.from({ length: size }, (_, n) => ({
      id: `i-${g}-${n}`,
      lifecycleState: 'InService',
      healthy: true,
      launchedAt: NOW - Math.floor(random() * 8 * DAY),
      protectedFromScaleIn: false,
      tags: {},
      launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    }));
    const window = windows[g % windows.length];
    return {
      name: `g-${g}`,
      desired: size,
      min: 1,
      max: size + 1,
      tags: {
        ...OPTED_IN,
        'phoenix:max-age': '7d',
        'phoenix:chaos': g % 5 === 0 ? '3d' : 'off',
        ...(window === undefined ? {} : { 'phoenix:window': window }),
      },
      instances,
      suspendedProcesses: [],
      scalingActivityInProgress: false,
      instanceRefreshInProgress: false,
      launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    };
  });
}

/** CPU milliseconds of one pure plan, median of repeated runs after a warm-up. */
function planCost(groups: number, size: number): number {
  const fleet = syntheticFleet(groups, size);
  const runOnce = (seed: number) => {
    const start = process.cpuUsage();
    planTick({
      groups: fleet,
      records: [],
      now: NOW + seed * MINUTE,
      chaosDraws: () => seededRandom(seed),
      tickInterval: 10 * MINUTE,
      globalMode: 'live',
      globalBlock: undefined,
      maxTerminationsPerRun: 1000,
      limits: NO_ACCOUNT_LIMITS,
      explain: false,
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

interface TickCalls {
  readonly groups: number;
  readonly instances: number;
  readonly calls: number;
  readonly lowerBound: number;
  readonly actions: number;
  readonly byOperation: Record<string, number>;
  readonly motoOnlyPages: number;
}

/** API calls of one tick against moto for `groups` opted-in groups of 4 instances among as many (empty) groups not opted in. */
async function callsPerTick(groups: number): Promise<TickCalls> {
  // moto scans its catalogue of about a thousand AMIs for every instance it launches; Phoenix reads no AMI.
  const moto = await startMoto({ MOTO_EC2_LOAD_DEFAULT_AMIS: 'false' });
  try {
    const clients = awsClients(moto.endpoint);
    await new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint }).send(new CreateTableCommand(ledgerTableInput('bench')));
    const templateId = await launchTemplate(clients);
    // One at a time: moto is CPU-bound behind Python's global lock, so concurrent creates were no faster.
    for (let n = 0; n < groups; n += 1) {
      await addGroup(clients, { name: `in-${n}`, size: 4, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '7d' } });
      // Without instances: Auto Scaling's tag filter keeps these groups from Phoenix, so their instances are
      // never read, and each instance moto launches costs time in proportion to all those it already has.
      await addGroup(clients, { name: `out-${n}`, size: 0, templateId, tags: { team: 'other' } });
    }
    const counts = new Map<string, number>();
    countCalls(clients, counts);
    // moto pages DescribeInstances by 100 reservations even when the call names instance ids; AWS answers a
    // call of up to 1,000 ids in one response (it refuses MaxResults with ids), so those pages are moto's alone.
    let motoOnlyPages = 0;
    clients.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const input: object = args.input;
        if (context.commandName === 'DescribeInstancesCommand' && 'InstanceIds' in input && 'NextToken' in input && input.NextToken !== undefined)
          motoOnlyPages += 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchMotoOnlyPages' },
    );
    const deps = {
      fleet: new AwsFleet(clients),
      ledger: new DynamoLedger({ client: new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint }), tableName: 'bench', clock: () => Date.now() }),
      events: new MemoryEvents(),
      alarms: new SimAlarms(),
      settings: new SimSettings('live'),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      chaosSeed: 1,
    };
    // Nothing is due (all young): the tick's calls are discovery alone, the lower bound's own case.
    const result = await runTick(deps, { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 10 }, Date.now() + HOUR);
    const actions = result.outcomes.filter((outcome) => outcome.kind === 'terminated' || outcome.kind === 'started').length;
    const instances = groups * 4;
    return {
      groups,
      instances,
      calls: [...counts.values()].reduce((sum, count) => sum + count, 0),
      lowerBound: Math.ceil(groups / 100) + Math.ceil(instances / 1000) + actions,
      actions,
      byOperation: Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
      motoOnlyPages,
    };
  } finally {
    await moto.stop();
  }
}

const json = process.argv.includes('--json');
const full = process.argv.includes('--full');
const figures = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  planCpuMs: [
    { groups: 1_000, instances: 10_000, medianMs: planCost(1_000, 10) },
    { groups: 10_000, instances: 100_000, medianMs: planCost(10_000, 10) },
  ],
  bundles: FUNCTION_DIRECTORIES.map(bundleFigures),
  simulatedWeek: await simulatedWeek(),
  apiCallsPerTick: [await callsPerTick(150), ...(full ? [await callsPerTick(1_500)] : [])],
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
    'API calls per tick against moto     target <= lower bound + 3',
    ...figures.apiCallsPerTick.map(
      (row) =>
        `  ${row.groups} opted-in groups x 4 (+ as many empty, not opted in): ${row.calls} calls, lower bound ${row.lowerBound}; ` +
        `${Object.entries(row.byOperation)
          .map(([name, count]) => `${name.replace(/Command$/, '')} ${count}`)
          .join(', ')}; ${row.motoOnlyPages} of them moto-only DescribeInstances pages`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
