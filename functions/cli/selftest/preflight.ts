import { DeploymentError } from '../errors.js';
import type { RecyclerFacts, SelftestPorts } from './ports.js';

/** What the self-test needs to know before it makes anything, all read: the stack's functions, where to launch, the mode. */
export interface Preflight {
  readonly facts: RecyclerFacts;
  /** The deployed tainter's function name. */
  readonly tainter: string;
  /** The deployed verifier's log group, where its lines about Auto Scaling's events are read. */
  readonly verifierLogGroup: string;
  readonly subnets: readonly string[];
  /** The global mode as the recycler will read it, or why it cannot be read. */
  readonly mode: string;
}

export interface PreflightOptions {
  readonly stage: string;
  readonly region: string;
  /** --subnets; undefined means the default VPC's. */
  readonly subnets: readonly string[] | undefined;
}

/** The AWS permissions the person running phoenix selftest needs: named in the line that says one is missing. */
const CALLER_PERMISSIONS = [
  'lambda:GetFunctionConfiguration',
  'lambda:InvokeFunction',
  'ssm:GetParameter',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeInstances',
  'ec2:DescribeLaunchTemplates',
  'ec2:CreateLaunchTemplate',
  'ec2:DeleteLaunchTemplate',
  'ec2:RunInstances',
  'ec2:TerminateInstances',
  'ec2:CreateTags',
  'autoscaling:CreateAutoScalingGroup',
  'autoscaling:DeleteAutoScalingGroup',
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeScalingActivities',
  'dynamodb:Query',
  'cloudwatch:DescribeAlarms',
  'cloudwatch:GetDashboard',
  'logs:FilterLogEvents',
] as const;

const DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/;

/** A call made with the caller's credentials; a refusal says what could not be done and what the caller needs. */
async function asCaller<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof Error) || !DENIED.test(error.name)) throw error;
    throw new DeploymentError(
      `your credentials may not ${what} (${error.name}): phoenix selftest runs with your own credentials and needs ${CALLER_PERMISSIONS.join(', ')}`,
      { cause: error },
    );
  }
}

/** Reads before making anything: a partial deployment or a missing permission stops here, with one line that says which. */
export async function preflight(
  ports: Pick<SelftestPorts, 'cloud' | 'recycler' | 'tainter' | 'verifierLogs' | 'clock'>,
  options: PreflightOptions,
): Promise<Preflight> {
  const { stage, region } = options;
  const facts = await asCaller("read the recycler's configuration", () => ports.recycler.facts());
  if (facts === undefined)
    throw new DeploymentError(
      `no Phoenix stack of stage ${stage} in ${region}: its recycler function phoenix-${stage}-recycler was not found (deploy with npx osls deploy --stage ${stage} --region ${region}, or pass the --stage and --region it was deployed with)`,
    );
  for (const deployedFunction of [ports.tainter, ports.verifierLogs]) {
    const { functionName } = deployedFunction;
    if (!(await asCaller(`read the configuration of ${functionName}`, () => deployedFunction.deployed())))
      throw new DeploymentError(
        `the Phoenix stack of stage ${stage} in ${region} is partly deployed: its function ${functionName} was not found (deploy it again with npx osls deploy --stage ${stage} --region ${region})`,
      );
  }
  const { logGroup } = ports.verifierLogs;
  await asCaller(`read the verifier's log group ${logGroup}`, () => ports.verifierLogs.receivedEvents(ports.clock.now()));
  const subnets = options.subnets ?? (await asCaller('describe the default VPC and its subnets', () => ports.cloud.defaultSubnets()));
  if (subnets === undefined)
    throw new DeploymentError(`no default VPC with default subnets in ${region}: pass --subnets with the subnet ids the two throwaway groups may launch in`);
  const parameter = facts.modeParameter;
  const found = { facts, tainter: ports.tainter.functionName, verifierLogGroup: logGroup, subnets };
  if (parameter === undefined) return { ...found, mode: facts.fixedMode ?? 'unknown' };
  const mode = await asCaller(`read the mode parameter ${parameter}`, () => ports.cloud.parameterValue(parameter));
  return { ...found, mode: mode ?? `unreadable: ${parameter} does not exist` };
}
