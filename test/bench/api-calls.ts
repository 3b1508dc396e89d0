// The AWS requests of one run, by service, against moto, for the cases the bounds in docs/operations.md are set for.

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';
import { CloudWatchAlarms } from '../../functions/adapters/alarms.js';
import { EventBridgeEvents } from '../../functions/adapters/events.js';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { DynamoLedger } from '../../functions/adapters/ledger.js';
import { ledgerTableInput } from '../../functions/adapters/ledger-table.js';
import { SsmSettings } from '../../functions/adapters/settings.js';
import type { RunScope } from '../../functions/app/run-reads.js';
import type { TickDependencies, TickSettings } from '../../functions/app/tick.js';
import { runTick } from '../../functions/app/tick.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { addGroup, launchTemplate } from '../support/aws-fixtures.js';
import { OPTED_IN } from '../support/fleet.js';
import { MOTO_CLIENT_CONFIG, startMoto } from '../support/moto-server.js';

const SERVICES = ['autoscaling', 'ec2', 'dynamodb', 'ssm', 'eventbridge', 'cloudwatch'] as const;
type Service = (typeof SERVICES)[number];

/** DynamoDB commands that write: each action needs some, so they are the bound's own allowance. */
const DYNAMO_WRITES: ReadonlySet<string> = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

const INSTANCES_PER_GROUP = 4;
const DUE_GROUPS = 10;
const STOP_ALARM = 'bench-stop';
const MODE_PARAMETER = '/phoenix/bench/mode';

export interface RunRequests {
  readonly case: string;
  readonly groups: number;
  readonly instances: number;
  /** Fleet changes made: surges, terminations. */
  readonly actions: number;
  /** Groups re-read before acting. */
  readonly actingGroups: number;
  readonly byService: Readonly<Record<Service, number>>;
  readonly byOperation: Readonly<Record<string, number>>;
  /** Auto Scaling and EC2 calls, less the DescribeInstances pages moto adds and AWS would not. */
  readonly fleetCalls: number;
  readonly fleetBound: number;
  readonly dynamoReads: number;
  readonly dynamoReadBound: number;
  readonly dynamoWrites: number;
  readonly motoOnlyPages: number;
}

class RequestCounter {
  readonly operations = new Map<string, number>();
  readonly services = new Map<Service, number>();
  motoOnlyPages = 0;

  watch<Client extends { readonly middlewareStack: MiddlewareStack<object, MetadataBearer> }>(service: Service, client: Client): Client {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = context.commandName ?? 'unknown';
        this.operations.set(operation, (this.operations.get(operation) ?? 0) + 1);
        this.services.set(service, (this.services.get(service) ?? 0) + 1);
        // moto pages DescribeInstances by 100 reservations even when the call names ids; AWS answers up to
        // 1,000 ids in one response (it refuses MaxResults with ids), so those pages are moto's alone.
        const input: object = args.input;
        if (operation === 'DescribeInstancesCommand' && 'NextToken' in input && input.NextToken !== undefined) this.motoOnlyPages += 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
    return client;
  }

  reset(): void {
    this.operations.clear();
    this.services.clear();
    this.motoOnlyPages = 0;
  }
}

/**
 * One moto server, `groups` opted-in groups of 4 (the first ten past a 7-day max-age when the runs
 * happen, the rest with 30 days to go) among as many empty groups not opted in, and the four runs:
 * a tick with nothing due, a tick that starts ten surges, the verifier sweep that finishes them, and
 * a sweep with nothing open.
 */
export async function requestsPerRun(groups: number): Promise<RunRequests[]> {
  // moto scans its catalogue of about a thousand AMIs for every instance it launches; Phoenix reads no AMI.
  const moto = await startMoto({ MOTO_EC2_LOAD_DEFAULT_AMIS: 'false' });
  try {
    const config = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
    const counter = new RequestCounter();
    const autoScaling = counter.watch('autoscaling', new AutoScalingClient(config));
    const ec2 = counter.watch('ec2', new EC2Client(config));
    const dynamo = counter.watch('dynamodb', new DynamoDBClient(config));
    const ssm = counter.watch('ssm', new SSMClient(config));
    const cloudWatch = counter.watch('cloudwatch', new CloudWatchClient(config));
    await dynamo.send(new CreateTableCommand(ledgerTableInput('bench')));
    await ssm.send(new PutParameterCommand({ Name: MODE_PARAMETER, Value: 'live', Type: 'String' }));
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: STOP_ALARM,
        MetricName: 'Errors',
        Namespace: 'Bench',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const clients = { autoScaling, ec2 };
    const templateId = await launchTemplate(clients);
    // One at a time: moto is CPU-bound behind Python's global lock, so concurrent creates were no faster.
    for (let n = 0; n < groups; n += 1) {
      const maxAge = n < DUE_GROUPS ? '7d' : '30d';
      await addGroup(clients, { name: `in-${n}`, size: INSTANCES_PER_GROUP, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': maxAge } });
      await addGroup(clients, { name: `out-${n}`, size: 0, templateId, tags: { team: 'other' } });
    }
    const deps: TickDependencies = {
      fleet: new AwsFleet(clients),
      ledger: new DynamoLedger({ client: dynamo, tableName: 'bench', clock: () => Date.now() + 8 * DAY }),
      events: new EventBridgeEvents({ client: counter.watch('eventbridge', new EventBridgeClient(config)) }),
      alarms: new CloudWatchAlarms({ client: cloudWatch }),
      // No cache across runs: each run reads the mode, as a run in a new container does.
      settings: new SsmSettings({ client: ssm, parameterName: MODE_PARAMETER, cacheSeconds: 0 }),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      chaosSeed: 1,
    };
    const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [STOP_ALARM], maxTerminationsPerRun: DUE_GROUPS };
    const instances = groups * INSTANCES_PER_GROUP;
    const measure = async (name: string, at: number, scope: RunScope): Promise<RunRequests> => {
      counter.reset();
      const result = await runTick(deps, settings, at, scope);
      const actions = result.outcomes.filter((outcome) => outcome.kind === 'terminated' || outcome.kind === 'started').length;
      const actingGroups = new Set(result.decisions.filter((decision) => decision.kind !== 'skip').map((decision) => decision.group)).size;
      const byOperation = Object.fromEntries([...counter.operations].sort(([a], [b]) => a.localeCompare(b)));
      const dynamoWrites = [...counter.operations].filter(([operation]) => DYNAMO_WRITES.has(operation)).reduce((sum, [, count]) => sum + count, 0);
      const fleetCalls = (counter.services.get('autoscaling') ?? 0) + (counter.services.get('ec2') ?? 0) - counter.motoOnlyPages;
      // A tick: discovery, the acting groups again in one batch, and two more, the template and activities
      // reads. A verifier run: its groups once, with their instances and templates.
      const reads =
        scope.kind === 'tick'
          ? Math.ceil(groups / 100) + Math.ceil(instances / 1000) + Math.ceil(actingGroups / 100) + 2
          : actingGroups === 0
            ? 0
            : Math.ceil(actingGroups / 100) + 2;
      return {
        case: name,
        groups,
        instances,
        actions,
        actingGroups,
        byService: Object.fromEntries(SERVICES.map((service) => [service, counter.services.get(service) ?? 0])) as Record<Service, number>,
        byOperation,
        fleetCalls,
        fleetBound: reads + actions,
        dynamoReads: (counter.services.get('dynamodb') ?? 0) - dynamoWrites,
        // A tick: one Query a mode. A verifier run: the open index, then one partition a group it moves on.
        dynamoReadBound: scope.kind === 'tick' ? 2 : 1 + actingGroups,
        dynamoWrites,
        motoOnlyPages: counter.motoOnlyPages,
      };
    };
    const start = Date.now() + 8 * DAY;
    const sweep: RunScope = { kind: 'verify', groups: undefined };
    const runs = [
      await measure('tick, nothing due', Date.now() + DAY, { kind: 'tick' }),
      await measure(`tick, ${DUE_GROUPS} groups due (surges start)`, start, { kind: 'tick' }),
      await measure(`verifier sweep, ${DUE_GROUPS} surges finishing`, start + 2 * MINUTE, sweep),
    ];
    // Unmeasured: the sweep that sees the old instances gone and closes the records.
    await runTick(deps, settings, start + 10 * MINUTE, sweep);
    return [...runs, await measure('verifier sweep, nothing open', start + 20 * MINUTE, sweep)];
  } finally {
    await moto.stop();
  }
}
