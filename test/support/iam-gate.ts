import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, PARTITION, type Principal } from '../deploy/roles.js';
import { REGION } from '../deploy/stack.js';
import { MOTO_CLIENT_CONFIG } from './moto.js';

/**
 * An endpoint in front of moto that judges, as IAM would, the writes a function sends to Auto Scaling
 * and its tag writes on EC2 instances: each one goes to the IAM evaluator (@cloud-copilot/iam-simulate)
 * with the function's real role policies and the group's or instance's tags as the resource-tag context,
 * and is answered as AWS answers a refusal (AccessDenied, UnauthorizedOperation for EC2) unless allowed.
 * Reads, the ledger and the bus go to moto unjudged: moto does not evaluate IAM, and the self-test's IAM
 * checks are about the fleet writes.
 */

/** The Auto Scaling writes the functions may send, each judged on the group it changes. */
const JUDGED = new Set(['SetDesiredCapacity', 'TerminateInstanceInAutoScalingGroup', 'CreateOrUpdateTags', 'DeleteTags']);

export type Judgement =
  | { readonly action: string; readonly group: string; readonly decision: string }
  | { readonly action: 'CreateTags'; readonly instance: string; readonly decision: string };

export interface IamGate {
  readonly endpoint: string;
  readonly judgements: readonly Judgement[];
  stop(): Promise<void>;
}

const groupArn = (name: string): string =>
  `arn:${PARTITION}:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:6d3c1f0e-8f6a-4a55-9c1d-2a7e0c9b1f42:autoScalingGroupName/${name}`;

async function body(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: URL, incoming: IncomingMessage, payload: Buffer, outgoing: ServerResponse): void {
  const upstream = request(
    { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on('error', (error) => {
    outgoing.writeHead(502);
    outgoing.end(String(error));
  });
  upstream.end(payload);
}

const instanceArn = (id: string): string => `arn:${PARTITION}:ec2:${REGION}:${ACCOUNT}:instance/${id}`;

/** EC2's refusal, in EC2's own error shape: the SDK names it UnauthorizedOperation. */
function unauthorized(outgoing: ServerResponse, principal: Principal, resource: string): void {
  const message = `You are not authorized to perform this operation. User: ${principal.session} is not authorized to perform: ec2:CreateTags on resource: ${resource} because no identity-based policy allows the ec2:CreateTags action.`;
  outgoing.writeHead(403, { 'content-type': 'text/xml' });
  outgoing.end(
    `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>${message}</Message></Error></Errors><RequestID>iam-gate</RequestID></Response>`,
  );
}

function denied(outgoing: ServerResponse, principal: Principal, action: string, resource: string): void {
  const message = `User: ${principal.session} is not authorized to perform: autoscaling:${action} on resource: ${resource} because no identity-based policy allows the autoscaling:${action} action`;
  outgoing.writeHead(403, { 'content-type': 'text/xml' });
  outgoing.end(
    `<ErrorResponse xmlns="https://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${message}</Message></Error><RequestId>iam-gate</RequestId></ErrorResponse>`,
  );
}

/** Starts the gate on a free loopback port, judging as `principal` and forwarding to moto at `motoEndpoint`. */
export async function startIamGate(motoEndpoint: string, principal: Principal): Promise<IamGate> {
  const target = new URL(motoEndpoint);
  const autoScaling = new AutoScalingClient({ ...MOTO_CLIENT_CONFIG, endpoint: motoEndpoint });
  const ec2 = new EC2Client({ ...MOTO_CLIENT_CONFIG, endpoint: motoEndpoint });
  const judgements: Judgement[] = [];

  const simulate = async (action: string, resource: string, resourceContext: Record<string, string | string[]>): Promise<string> => {
    const simulation: Simulation = {
      request: {
        principal: principal.session,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': principal.arn, 'aws:PrincipalAccount': ACCOUNT, ...resourceContext },
      },
      identityPolicies: principal.policies.map(({ name, policy }) => ({ name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
    };
    const result = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (result.resultType === 'error') throw new Error(`the evaluator refused to judge ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  };

  const groupOf = async (form: URLSearchParams): Promise<string | undefined> => {
    const named = form.get('AutoScalingGroupName') ?? form.get('Tags.member.1.ResourceId');
    if (named !== null) return named;
    const instance = form.get('InstanceId');
    if (instance === null) return undefined;
    const found = await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instance] }));
    return found.AutoScalingInstances?.[0]?.AutoScalingGroupName;
  };

  const judge = async (action: string, group: string, form: URLSearchParams): Promise<string> => {
    const described = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    const context: Record<string, string | string[]> = {};
    for (const tag of described.AutoScalingGroups?.[0]?.Tags ?? []) {
      if (tag.Key === undefined || tag.Value === undefined) continue;
      context[`autoscaling:ResourceTag/${tag.Key}`] = tag.Value;
      context[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    }
    if (action === 'CreateOrUpdateTags' || action === 'DeleteTags') {
      context['aws:TagKeys'] = [...form.entries()].filter(([key]) => /^Tags\.member\.\d+\.Key$/.test(key)).map(([, value]) => value);
    }
    return simulate(`autoscaling:${action}`, groupArn(group), context);
  };

  /** EC2 CreateTags on one instance, judged with the instance's own tags (Auto Scaling's group tag among them, if any). */
  const judgeInstanceTags = async (instance: string, form: URLSearchParams): Promise<string> => {
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance] }));
    const context: Record<string, string | string[]> = {};
    for (const tag of described.Reservations?.[0]?.Instances?.[0]?.Tags ?? []) {
      if (tag.Key === undefined || tag.Value === undefined) continue;
      context[`ec2:ResourceTag/${tag.Key}`] = tag.Value;
      context[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    }
    context['aws:TagKeys'] = [...form.entries()].filter(([key]) => /^Tag\.\d+\.Key$/.test(key)).map(([, value]) => value);
    return simulate('ec2:CreateTags', instanceArn(instance), context);
  };

  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const payload = await body(incoming);
      const form = new URLSearchParams(payload.toString('utf8'));
      const action = form.get('Action');
      if (action === 'CreateTags') {
        // One instance a call, as the tainter's probe sends it; a call naming several would be judged on each by AWS.
        const instance = form.get('ResourceId.1');
        if (instance === null || form.has('ResourceId.2')) throw new Error(`the gate judges CreateTags on one instance, not ${payload.toString('utf8')}`);
        const decision = await judgeInstanceTags(instance, form);
        judgements.push({ action, instance, decision });
        if (decision === 'Allowed') forward(target, incoming, payload, outgoing);
        else unauthorized(outgoing, principal, instanceArn(instance));
        return;
      }
      const group = action !== null && JUDGED.has(action) ? await groupOf(form) : undefined;
      if (action === null || group === undefined) return forward(target, incoming, payload, outgoing);
      const decision = await judge(action, group, form);
      judgements.push({ action, group, decision });
      if (decision === 'Allowed') forward(target, incoming, payload, outgoing);
      else denied(outgoing, principal, action, groupArn(group));
    })().catch((error: unknown) => {
      outgoing.writeHead(500);
      outgoing.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    judgements,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error)))),
  };
}
