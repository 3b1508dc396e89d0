import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  asArray,
  asObject,
  asString,
  FUNCTIONS,
  field,
  isArray,
  isObject,
  type Json,
  lambdaId,
  listOf,
  maybe,
  packageService,
  REGION,
  ROOT,
  resource,
  resourcesOfType,
  STAGE,
  stringsOf,
} from './stack.js';

/**
 * The functions' roles as IAM would see them: the packaged template's policies with every intrinsic
 * resolved to a concrete ARN of one fixed account, for the IAM evaluator in the tests.
 */

export const ACCOUNT = '123456789012';
export const PARTITION = 'aws';
export const STACK = `phoenix-${STAGE}`;

// --- The template's values, as CloudFormation would make them in that account -------------------

/** The property in which a resource type takes its name, where the template may set one. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Lambda::Function': 'FunctionName',
};

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': PARTITION,
  'AWS::StackName': STACK,
  'AWS::URLSuffix': 'amazonaws.com',
};

export const typeOf = (template: Json, id: string): string => asString(field(resource(template, id), 'Type'), `${id}.Type`);

/** A resource's name: the one the template gives, or one made as CloudFormation does (stack, logical id, suffix). */
export function physicalName(template: Json, id: string): string {
  const type = typeOf(template, id);
  const property = NAME_PROPERTY[type];
  if (property === undefined) throw new Error(`this test cannot name a ${type} (${id}): add it to NAME_PROPERTY`);
  const given = maybe(resource(template, id), 'Properties', property);
  if (given !== undefined) return asString(resolve(template, given), `${id}.${property}`);
  const made = `${STACK}-${id}-1A2B3C4D5E6F`;
  return type === 'AWS::S3::Bucket' ? made.toLowerCase() : made;
}

const iamPath = (template: Json, id: string): string =>
  maybe(resource(template, id), 'Properties', 'Path') === undefined
    ? '/'
    : asString(resolve(template, field(resource(template, id), 'Properties', 'Path')), `${id}.Path`);

export function ref(template: Json, name: string): string {
  const pseudo = PSEUDO[name];
  if (pseudo !== undefined) return pseudo;
  const parameter = maybe(template, 'Parameters', name);
  if (parameter !== undefined) return String(field(parameter, 'Default'));
  switch (typeOf(template, name)) {
    case 'AWS::SNS::Topic':
      return `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:${physicalName(template, name)}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${PARTITION}:iam::${ACCOUNT}:policy${iamPath(template, name)}${physicalName(template, name)}`;
    default:
      return physicalName(template, name);
  }
}

export function getAtt(template: Json, id: string, attribute: string): string {
  if (attribute !== 'Arn') throw new Error(`this test cannot resolve ${id}.${attribute}`);
  const name = physicalName(template, id);
  switch (typeOf(template, id)) {
    case 'AWS::IAM::Role':
      return `arn:${PARTITION}:iam::${ACCOUNT}:role${iamPath(template, id)}${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
    case 'AWS::DynamoDB::Table':
      return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    case 'AWS::S3::Bucket':
      return `arn:${PARTITION}:s3:::${name}`;
    case 'AWS::Events::EventBus':
      return `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
    case 'AWS::Lambda::Function':
      return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    default:
      throw new Error(`this test cannot resolve the Arn of ${id} (${typeOf(template, id)})`);
  }
}

/** The value with every Ref, Fn::GetAtt, Fn::Sub and Fn::Join replaced by what CloudFormation would put there; any other intrinsic throws. */
export function resolve(template: Json, value: Json | undefined): Json {
  if (value === undefined) throw new Error('nothing to resolve');
  if (isArray(value)) return value.map((item) => resolve(template, item));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  const [only] = keys;
  if (keys.length === 1 && only !== undefined && (only === 'Ref' || only.startsWith('Fn::'))) {
    const argument = value[only];
    switch (only) {
      case 'Ref':
        return ref(template, asString(argument, 'Ref'));
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof argument === 'string' ? argument.split('.') : stringsOf(argument, 'Fn::GetAtt');
        return getAtt(template, asString(id, 'Fn::GetAtt id'), asString(attribute, 'Fn::GetAtt attribute'));
      }
      case 'Fn::Join': {
        const [separator, parts] = asArray(argument, 'Fn::Join');
        return asArray(resolve(template, parts), 'Fn::Join parts')
          .map((part) => asString(part, 'a joined part'))
          .join(asString(separator, 'Fn::Join separator'));
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : asArray(argument, 'Fn::Sub');
        const given = asObject(resolve(template, variables ?? {}), 'Fn::Sub variables');
        return asString(text, 'Fn::Sub text').replace(/\$\{(!?)([^}]+)\}/g, (_whole, literal: string, name: string) => {
          if (literal === '!') return `\${${name}}`;
          if (name in given) return asString(given[name], `Fn::Sub ${name}`);
          const [id, attribute] = name.split('.');
          return attribute === undefined ? ref(template, name) : getAtt(template, id as string, attribute);
        });
      }
      default:
        throw new Error(`this test cannot resolve ${only}`);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(template, item)]));
}

// --- Principals and their policies ---------------------------------------------------------------

export interface NamedPolicy {
  readonly name: string;
  readonly policy: Json;
}

export interface Principal {
  /** The ARN a caller's requests carry: a role's session. */
  readonly session: string;
  /** aws:PrincipalArn: the role itself. */
  readonly arn: string;
  readonly policies: readonly NamedPolicy[];
}

/** A role's identity policies: its inline ones, the managed ones of this template it attaches, and standalone policies naming it. */
export function rolePrincipal(template: Json, id: string): Principal {
  const role = resource(template, id);
  if (typeOf(template, id) !== 'AWS::IAM::Role') throw new Error(`${id} is not a role`);
  const inline = listOf(maybe(role, 'Properties', 'Policies')).map((policy) => ({
    name: `${id}/${asString(field(policy, 'PolicyName'), 'PolicyName')}`,
    policy: resolve(template, field(policy, 'PolicyDocument')),
  }));
  const managed = listOf(maybe(role, 'Properties', 'ManagedPolicyArns')).map((arn) => {
    const policyId = maybe(arn, 'Ref');
    if (typeof policyId !== 'string' || typeOf(template, policyId) !== 'AWS::IAM::ManagedPolicy')
      throw new Error(`${id} attaches ${JSON.stringify(arn)}, which this test cannot read`);
    return { name: policyId, policy: resolve(template, field(resource(template, policyId), 'Properties', 'PolicyDocument')) };
  });
  const standalone = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => listOf(maybe(policy, 'Properties', 'Roles')).some((named) => maybe(named, 'Ref') === id))
    .map(([policyId, policy]) => ({ name: policyId, policy: resolve(template, field(policy, 'Properties', 'PolicyDocument')) }));
  const name = physicalName(template, id);
  return {
    session: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${name}/session`,
    arn: getAtt(template, id, 'Arn'),
    policies: [...inline, ...managed, ...standalone],
  };
}

/** The role a function runs as, found through the function's own Role property. */
export function functionRoleId(template: Json, fn: string): string {
  const arn = resolve(template, field(resource(template, lambdaId(fn)), 'Properties', 'Role'));
  const [id] = resourcesOfType(template, 'AWS::IAM::Role').find(([roleId]) => getAtt(template, roleId, 'Arn') === arn) ?? [];
  if (id === undefined) throw new Error(`no role of the template is ${String(arn)}`);
  return id;
}

/**
 * The template `osls package` makes of serverless.yml and infra/, with a one-line stand-in for each
 * bundle: the template does not depend on the code, so no build is needed.
 */
export async function packagedTemplate(work: string): Promise<Json> {
  const service = join(work, 'service');
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  cpSync(join(ROOT, 'serverless.yml'), join(service, 'serverless.yml'));
  cpSync(join(ROOT, 'infra'), join(service, 'infra'), { recursive: true });
  for (const bundle of Object.values(FUNCTIONS)) {
    mkdirSync(join(service, `dist/functions/${bundle}`), { recursive: true });
    writeFileSync(join(service, `dist/functions/${bundle}/index.mjs`), 'export const handler = async () => undefined;\n');
  }
  return (await packageService(service, join(work, 'package'), home, [])).template;
}

/** The role a function runs as, with its policies. */
export function functionPrincipal(template: Json, fn: keyof typeof FUNCTIONS): Principal {
  return rolePrincipal(template, functionRoleId(template, fn));
}
