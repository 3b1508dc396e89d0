import type { Group, Instance, ReplacementRecord } from '../../core/model.js';
import { MINUTE } from '../../core/model.js';
import type { RecyclerFacts, SelftestPorts } from './ports.js';
import type { SelftestNames } from './resources.js';
import { touchMark } from './resources.js';
import type { Patience } from './watch.js';
import { waitFor } from './watch.js';

/** What a step found: whether it passed, and the evidence either way; a passed step may carry what later steps need. */
export type Passed<Found = unknown> = { readonly passed: true; readonly evidence: string } & Found;
export interface Failed {
  readonly passed: false;
  readonly evidence: string;
}
export type StepOutcome<Found = unknown> = Passed<Found> | Failed;

/** What the steps share: the ports, the run's names and what the setup found. */
export interface StepContext {
  readonly ports: SelftestPorts;
  readonly signal: AbortSignal;
  readonly names: SelftestNames;
  readonly facts: RecyclerFacts;
  readonly stage: string;
  readonly region: string;
}

/** An instance launching, passing its checks, or going: each comes in minutes; a look every 10 s sees it soon after. */
export const INSTANCE_WAIT: Patience = { timeout: 10 * MINUTE, interval: MINUTE / 6 };
/** The verifier acts on Auto Scaling's events within a minute, or on its schedule (every tick interval) at the latest. */
const PIPELINE_WAIT: Patience = { timeout: 15 * MINUTE, interval: MINUTE / 6 };

export const passed = (evidence: string): Passed => ({ passed: true, evidence });
export const failed = (evidence: string): Failed => ({ passed: false, evidence });

const inService = (instance: Instance): boolean => instance.lifecycleState === 'InService' && instance.healthy;

export function wait<T>(context: StepContext, patience: Patience, look: () => Promise<T | undefined>): Promise<T | undefined> {
  return waitFor(context.ports.clock, context.signal, patience, look);
}

async function group(context: StepContext, name: string): Promise<Group | undefined> {
  return context.ports.cloud.describeGroup(name);
}

/** Both groups hold one instance InService and Healthy: the subject's is returned, marked as touched. */
export async function instancesUp(context: StepContext): Promise<StepOutcome<{ readonly subjectInstance: string }>> {
  const { subject, decoy } = context.names;
  const up = await wait(context, INSTANCE_WAIT, async () => {
    const [a, b] = await Promise.all([group(context, subject), group(context, decoy)]);
    const first = a?.instances.find(inService);
    const second = b?.instances.find(inService);
    return first === undefined || second === undefined ? undefined : { subject: first.id, decoy: second.id };
  });
  if (up === undefined) return failed(`no instance InService and Healthy in both groups within ${INSTANCE_WAIT.timeout / MINUTE} minutes`);
  await context.ports.cloud.tagInstance(up.subject, touchMark(context.ports.clock.now()));
  return { ...passed(`${subject}: ${up.subject}, ${decoy}: ${up.decoy}; ${up.subject} marked as touched (phoenix:tainted)`), subjectInstance: up.subject };
}

/** The recycler, asked for a self-test recycle of the subject, starts a replacement: a surge of desired capacity 1 to 2. */
export async function surge(context: StepContext, oldInstance: string): Promise<StepOutcome> {
  const { subject } = context.names;
  const invoked = await context.ports.recycler.invoke({ action: 'recycle', group: subject });
  if (!invoked.ok) return failed(`${context.facts.functionName} failed: ${invoked.error}`);
  const { decision, why } = invoked.answer;
  // A scheduled tick may have picked the touched instance moments before the request: the replacement is then in flight already.
  if (decision !== 'start' && decision !== 'progress') return failed(`the recycler decided ${String(decision)} for ${subject}: ${String(why)}`);
  const raised = await wait(context, INSTANCE_WAIT, async () => {
    const now = await group(context, subject);
    return now !== undefined && now.desired === 2 ? now : undefined;
  });
  if (raised === undefined) return failed(`the recycler started (${String(why)}) but desired capacity of ${subject} never became 2`);
  const how = decision === 'start' ? `picked ${oldInstance} (${String(why)})` : `found the replacement of ${oldInstance} already started by its schedule`;
  return passed(`${context.facts.functionName} ${how}; desired capacity 1 -> 2`);
}

/** The surge's extra instance is InService and Healthy: returned for the checks that follow it. */
export async function extraInstanceUp(context: StepContext, oldInstance: string): Promise<StepOutcome<{ readonly extraInstance: string }>> {
  const found = await wait(context, INSTANCE_WAIT, async () =>
    (await group(context, context.names.subject))?.instances.find((instance) => instance.id !== oldInstance && inService(instance)),
  );
  return found === undefined
    ? failed(`no extra instance InService and Healthy within ${INSTANCE_WAIT.timeout / MINUTE} minutes`)
    : { ...passed(`${found.id} InService and Healthy`), extraInstance: found.id };
}

/** The old instance went through Auto Scaling (its lifecycle hooks and draining), which says so in its activity. */
export async function oldInstanceTerminated(context: StepContext, oldInstance: string): Promise<StepOutcome> {
  const activity = await wait(context, PIPELINE_WAIT, () => context.ports.cloud.terminationActivity(context.names.subject, oldInstance));
  return activity === undefined
    ? failed(`${oldInstance} not terminated through Auto Scaling within ${PIPELINE_WAIT.timeout / MINUTE} minutes`)
    : passed(`Auto Scaling activity: ${activity}`);
}

const CLOSED = new Set(['verified', 'failed', 'abandoned', 'vanished']);

/** The replacement's record, closed, as the deployed functions closed it without being asked again. */
export async function closedRecord(context: StepContext, since: number): Promise<ReplacementRecord | undefined> {
  return wait(context, PIPELINE_WAIT, async () => {
    const records = await context.ports.cloud.groupRecords(context.facts.ledgerTable, context.names.subject, since);
    return records.find((record) => CLOSED.has(record.phase));
  });
}

export function verifiedInLedger(record: ReplacementRecord | undefined, table: string): StepOutcome {
  if (record === undefined) return failed(`no closed record in ${table} within ${PIPELINE_WAIT.timeout / MINUTE} minutes`);
  if (record.phase !== 'verified') return failed(`record ${record.id} closed ${record.phase}: ${record.detail ?? ''}`);
  const recovery =
    record.terminatedAt === undefined || record.closedAt === undefined
      ? ''
      : `, recovered ${(record.closedAt - record.terminatedAt) / 1000}s after the termination`;
  return passed(`record ${record.id} in ${table} verified by the deployed functions${recovery}`);
}

/**
 * The ledger clears a record's outbox only once EventBridge accepted its events: an empty outbox on the
 * verified record means Instance Recycled (written with the termination) and Recovery Verified were put on the bus.
 */
export function eventsPublished(record: ReplacementRecord | undefined): StepOutcome {
  if (record?.phase !== 'verified') return failed('no verified record whose events could be published');
  const waiting = record.outbox ?? [];
  return waiting.length === 0
    ? passed(`Instance Recycled and Recovery Verified accepted by the Phoenix bus (record ${record.id}'s outbox is empty)`)
    : failed(`still waiting in record ${record.id}'s outbox: ${waiting.map((event) => event.detailType).join(', ')}`);
}

const MODES = ['live', 'dry-run', 'off'];

export async function modeReadable(context: StepContext): Promise<StepOutcome> {
  const { modeParameter, fixedMode } = context.facts;
  if (modeParameter === undefined) return passed(`fixed at deploy time: ${String(fixedMode)}`);
  const value = await context.ports.cloud.parameterValue(modeParameter);
  if (value === undefined) return failed(`${modeParameter} does not exist: the recycler blocks every termination`);
  return MODES.includes(value)
    ? passed(`${modeParameter} = ${value}`)
    : failed(`${modeParameter} = ${JSON.stringify(value)}: expected ${MODES.join(', ')}; the recycler blocks every termination`);
}

export async function stopAlarmsExist(context: StepContext): Promise<StepOutcome> {
  const names = context.facts.stopAlarms;
  if (names.length === 0) return passed('none configured (deploy parameter stopAlarms)');
  const states = await context.ports.cloud.alarmStates(names);
  const missing = names.filter((name) => !states.has(name));
  const found = [...states].map(([name, state]) => `${name}: ${state}`).join(', ');
  return missing.length === 0
    ? passed(found)
    : failed(`not found: ${missing.join(', ')} (the recycler blocks every termination until each exists)${found === '' ? '' : `; ${found}`}`);
}

/** The dashboard the stack deploys, named after its stage and region. */
export async function dashboardExists(context: StepContext): Promise<StepOutcome> {
  const name = `phoenix-${context.stage}-${context.region}`;
  return (await context.ports.cloud.dashboardExists(name)) ? passed(`${name} exists`) : failed(`${name} not found in CloudWatch`);
}
