import { errorText } from '../../app/errors.js';
import { HOUR } from '../../core/model.js';
import type { CheckResult, CleanupResult, MadeResources, SelftestReport } from './checklist.js';
import { madeNames, secondsBetween } from './checklist.js';
import { eventsReachedVerifier } from './delivery.js';
import type { RecyclerFacts, SelftestPorts } from './ports.js';
import { iamRefusesDecoy, iamRefusesTainter } from './probes.js';
import { DECOY_TAGS, removalCommands, removeResources, SUBJECT_TAGS, selftestNames, standaloneTags } from './resources.js';
import type { Passed, StepContext, StepOutcome } from './steps.js';
import {
  closedRecord,
  dashboardExists,
  eventsPublished,
  extraInstanceUp,
  instancesUp,
  modeReadable,
  oldInstanceTerminated,
  stopAlarmsExist,
  surge,
  verifiedInLedger,
} from './steps.js';
import { InterruptedError } from './watch.js';

export interface SelftestRun {
  readonly stage: string;
  readonly region: string;
  readonly subnets: readonly string[];
  readonly facts: RecyclerFacts;
  /** Leave what was made for inspection instead of removing it. */
  readonly keep: boolean;
  /** Aborted by an interrupt: the run stops waiting and cleans up. */
  readonly signal: AbortSignal;
}

/** A setup step that failed: nothing after it can be checked, so the run goes straight to cleanup. */
class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

class Checklist {
  readonly checks: CheckResult[] = [];

  constructor(private readonly ports: SelftestPorts) {}

  /** Runs one step, timed; an AWS error is the step's failed evidence, an interrupt goes through. */
  async check<Found>(step: string, body: () => Promise<StepOutcome<Found>>): Promise<Passed<Found> | undefined> {
    const { clock, progress } = this.ports;
    const started = clock.now();
    let outcome: StepOutcome<Found>;
    try {
      outcome = await body();
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      outcome = { passed: false, evidence: errorText(error) };
    }
    const check = { step, passed: outcome.passed, evidence: outcome.evidence, seconds: secondsBetween(started, clock.now()) };
    this.checks.push(check);
    progress(`${check.passed ? 'PASS' : 'FAIL'}  ${step} (${check.seconds}s)`);
    return outcome.passed ? outcome : undefined;
  }

  /** A step the rest of the run needs: when it fails the run stops there. */
  async required<Found>(step: string, body: () => Promise<StepOutcome<Found>>): Promise<Passed<Found>> {
    const result = await this.check(step, body);
    if (result === undefined) throw new StoppedError(`stopped after "${step}" failed`);
    return result;
  }
}

/** Step 2: one replacement of the subject's instance, start to finish, each link only if the one before held. */
async function replacement(list: Checklist, context: StepContext, oldInstance: string): Promise<void> {
  // The group is this run's own, so every record of it is this run's; an hour back leaves room for a
  // laptop's clock ahead of the one the recycler stamps its records with.
  const since = context.ports.clock.now() - HOUR;
  if ((await list.check('the recycler starts a replacement of the subject (self-test event)', () => surge(context, oldInstance))) === undefined) return;
  const extra = await list.check('the extra instance is InService and Healthy', () => extraInstanceUp(context, oldInstance));
  if (extra === undefined) return;
  if ((await list.check('the old instance is terminated through Auto Scaling', () => oldInstanceTerminated(context, oldInstance))) === undefined) return;
  // The verifier's schedule verifies without any event, so the record alone does not prove delivery: the chain goes on either way.
  await list.check("Auto Scaling's events reached the verifier", () => eventsReachedVerifier(context, since, oldInstance, extra.extraInstance));
  const record = await closedRecord(context, since);
  if ((await list.check('the replacement is verified in the ledger', async () => verifiedInLedger(record, context.facts.ledgerTable))) === undefined) return;
  await list.check('Instance Recycled and Recovery Verified are on the bus', async () => eventsPublished(record));
}

/**
 * The whole self-test: make the throwaway template, groups and standalone instance, have the deployed
 * recycler replace the subject's instance and be refused on the decoy, have the tainter be refused on
 * the standalone instance, read the deployment's settings, and always clean up (after a failure or an
 * interrupt too), unless asked to keep.
 */
export async function runSelftest(ports: SelftestPorts, run: SelftestRun): Promise<SelftestReport> {
  const names = selftestNames(ports.clock.now());
  const made: { launchTemplate: string | undefined; groups: string[]; instance: string | undefined; standalone: string | undefined } = {
    launchTemplate: undefined,
    groups: [],
    instance: undefined,
    standalone: undefined,
  };
  const context: StepContext = { ports, signal: run.signal, names, facts: run.facts, stage: run.stage, region: run.region };
  const list = new Checklist(ports);
  let stoppedBecause: string | undefined;
  try {
    const template = await list.required('a throwaway launch template', async () => {
      const [image, instanceType] = await Promise.all([ports.cloud.latestArm64Image(), ports.cloud.cheapestArm64Type()]);
      made.launchTemplate = names.launchTemplate;
      const id = await ports.cloud.createLaunchTemplate(names.launchTemplate, image, instanceType);
      return { passed: true as const, evidence: `${id} (${names.launchTemplate}): ${instanceType}, ${image}`, id };
    });
    await list.required('two self-test groups, one opted in and one decoy', async () => {
      for (const [name, tags] of [
        [names.subject, SUBJECT_TAGS],
        [names.decoy, DECOY_TAGS],
      ] as const) {
        made.groups.push(name);
        await ports.cloud.createGroup({ name, launchTemplateId: template.id, subnets: run.subnets, tags });
      }
      return {
        passed: true as const,
        evidence: `${names.subject} (phoenix:enabled=true), ${names.decoy} (not opted in); size 1, max 2, in ${run.subnets.join(', ')}`,
      };
    });
    // Launched before the wait for the groups, so it comes up meanwhile; the tainter's probe needs nothing else.
    const standalone = await list.check('a standalone instance outside any group', async () => {
      const [subnet] = run.subnets;
      if (subnet === undefined) throw new Error('no subnet to launch it in');
      made.standalone = names.standalone;
      made.instance = await ports.cloud.launchInstance({ launchTemplateId: template.id, subnet, tags: standaloneTags(names) });
      return {
        passed: true as const,
        evidence: `${made.instance} (${names.standalone}) in ${subnet}, tagged phoenix:selftest=true, in no group`,
        instance: made.instance,
      };
    });
    const up = await list.required('each group has an instance InService and Healthy', () => instancesUp(context));
    await replacement(list, context, up.subjectInstance);
    await list.check('IAM refuses the recycler on the decoy', () => iamRefusesDecoy(context));
    if (standalone !== undefined) await list.check('IAM refuses the tainter outside any group', () => iamRefusesTainter(context, standalone.instance));
    await list.check('the mode parameter', () => modeReadable(context));
    await list.check('the stop alarms', () => stopAlarmsExist(context));
    await list.check('the dashboard', () => dashboardExists(context));
  } catch (error) {
    if (error instanceof InterruptedError) stoppedBecause = 'interrupted: cleaning up';
    else if (error instanceof StoppedError) stoppedBecause = error.message;
    else stoppedBecause = `unexpected failure: ${errorText(error)}`;
  }
  const cleanup = await cleanUp(ports, made, run);
  const passed = stoppedBecause === undefined && list.checks.every((check) => check.passed) && cleanup.failures.length === 0;
  return { stage: run.stage, region: run.region, passed, checks: list.checks, resources: made, cleanup, stoppedBecause };
}

async function cleanUp(ports: SelftestPorts, made: MadeResources, run: SelftestRun): Promise<CleanupResult> {
  const removal = removalCommands(made, run.region);
  if (run.keep) return { kept: true, failures: [], removal };
  ports.progress(`cleaning up: ${madeNames(made).join(', ') || 'nothing was made'}`);
  const failures = await removeResources(ports.cloud, made);
  return { kept: false, failures, removal };
}
