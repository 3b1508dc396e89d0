import { MINUTE } from '../../core/model.js';
import { TAINT_PROBE_ACTION } from '../../core/selftest/taint-probe.js';
import type { StepContext, StepOutcome } from './steps.js';
import { failed, INSTANCE_WAIT, passed, wait } from './steps.js';

/**
 * Step 3: the deployed functions, asked to change what is outside opt-in, are refused by AWS itself.
 * Each probe asks for a change its function's code would never make, so only the role's policy stands
 * in the way: a refusal proves the policy holds in this account even if the code were wrong.
 */

/** The recycler, asked to act on the decoy, is refused: the role's tag condition holds in this account. */
export async function iamRefusesDecoy(context: StepContext): Promise<StepOutcome> {
  const { decoy } = context.names;
  const invoked = await context.ports.recycler.invoke({ action: 'iam-probe', group: decoy });
  if (!invoked.ok) return failed(`${context.facts.functionName} failed: ${invoked.error}`);
  if (invoked.answer['refused'] === true) return passed(`SetDesiredCapacity on ${decoy} refused: ${String(invoked.answer['error'])}`);
  return failed(`SetDesiredCapacity on ${decoy} (not opted in) went through: the role's tag condition does not hold in this account`);
}

const GONE = new Set(['shutting-down', 'terminated']);

/** The tainter, asked to write its tag on the standalone instance, is refused: its role tags instances of Auto Scaling groups only. */
export async function iamRefusesTainter(context: StepContext, instance: string): Promise<StepOutcome> {
  const { tainter } = context.ports;
  // The tainter reads the instance's tags before it tries: it must see the instance EC2 just launched.
  const state = await wait(context, INSTANCE_WAIT, () => context.ports.cloud.instanceState(instance));
  if (state === undefined) return failed(`${instance} not shown by EC2 within ${INSTANCE_WAIT.timeout / MINUTE} minutes of its launch`);
  if (GONE.has(state)) return failed(`${instance} is ${state}: there is nothing left to probe`);
  const invoked = await tainter.invoke({ action: TAINT_PROBE_ACTION, instance });
  if (!invoked.ok) return failed(`${tainter.functionName} failed: ${invoked.error}`);
  if (invoked.answer['refused'] === true)
    return passed(`${tainter.functionName}'s CreateTags of phoenix:tainted on ${instance} (outside any group) refused: ${String(invoked.answer['error'])}`);
  return failed(
    `${tainter.functionName}'s CreateTags of phoenix:tainted on ${instance} (outside any group) went through: the role's condition (instances of Auto Scaling groups only) does not hold in this account`,
  );
}
