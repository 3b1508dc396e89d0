import { readFileSync } from 'node:fs';
import {
  asArray,
  asObject,
  asString,
  field,
  isArray,
  isObject,
  type Json,
  listOf,
  maybe,
  REGION,
  resource,
  resourcesOfType,
  stringRecord,
  stringsOf,
} from './stack.js';

/** Readers of a packaged CloudFormation template and its zips, for the deploy tests. */
/** Names and uncompressed sizes of a zip's entries, from its central directory. */
export function zipEntries(file: string): { name: string; size: number }[] {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error(`${file}: no zip end-of-central-directory record`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: { name: string; size: number }[] = [];
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${index}`);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({ name: zip.toString('utf8', offset + 46, offset + 46 + nameLength), size });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Evaluates the few intrinsics the checks need: parameters take their defaults, pseudo parameters
 * fixed values, and any other Ref or GetAtt becomes a readable placeholder `<Ref X>`.
 */
export function evaluate(template: Json, value: Json | undefined): Json | undefined {
  const parameters = maybe(template, 'Parameters') ?? {};
  const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws' };
  const name = (ref: string): string => {
    if (ref in pseudo) return pseudo[ref] as string;
    if (isObject(parameters) && ref in parameters) return String(field(parameters, ref, 'Default'));
    return `<Ref ${ref}>`;
  };
  const substitute = (text: string, variables: Record<string, string>): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_whole, key: string) => variables[key] ?? (key.includes('.') ? `<GetAtt ${key}>` : name(key)));
  const inner = (json: Json): Json => {
    if (isArray(json)) return json.map(inner);
    if (!isObject(json)) return json;
    if ('Ref' in json) return name(asString(json['Ref'], 'Ref'));
    if ('Fn::GetAtt' in json) return `<GetAtt ${[json['Fn::GetAtt']].flat().join('.')}>`;
    if ('Fn::Join' in json) {
      const [separator, parts] = asArray(json['Fn::Join'], 'Fn::Join');
      return asArray(evaluate(template, parts), 'Fn::Join parts').join(asString(separator, 'Fn::Join separator'));
    }
    if ('Fn::Sub' in json) {
      const sub = json['Fn::Sub'];
      if (typeof sub === 'string') return substitute(sub, {});
      const [text, variables] = asArray(sub, 'Fn::Sub');
      return substitute(asString(text, 'Fn::Sub text'), stringRecord(evaluate(template, variables), 'Fn::Sub variables'));
    }
    return Object.fromEntries(Object.entries(json).map(([key, item]) => [key, inner(item)]));
  };
  return value === undefined ? undefined : inner(value);
}

/** The rules whose targets include the given resource (a Lambda function or a topic). */
export function rulesTargeting(template: Json, logicalId: string): Json[] {
  return resourcesOfType(template, 'AWS::Events::Rule')
    .map(([, rule]) => rule)
    .filter((rule) =>
      asArray(field(rule, 'Properties', 'Targets'), 'Properties.Targets').some(
        (target) => (maybe(target, 'Arn', 'Fn::GetAtt', 0) ?? maybe(target, 'Arn', 'Ref')) === logicalId,
      ),
    );
}

export interface Statement {
  readonly where: string;
  readonly Effect?: Json;
  readonly Action: string[];
  readonly Resource: readonly Json[];
  readonly Condition?: Json;
  readonly NotAction?: Json;
  readonly NotResource?: Json;
}

/** Every statement of every identity policy: role inline policies, managed and standalone policies. */
export function identityStatements(template: Json): Statement[] {
  const documents: [string, Json | undefined][] = [];
  for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
    for (const policy of listOf(field(role, 'Properties', 'Policies'))) {
      documents.push([`${id}/${String(field(policy, 'PolicyName'))}`, field(policy, 'PolicyDocument')]);
    }
  }
  for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
    for (const [id, policy] of resourcesOfType(template, type)) documents.push([id, field(policy, 'Properties', 'PolicyDocument')]);
  }
  return documents.flatMap(([where, document]) =>
    listOf(field(document, 'Statement')).map((item, index): Statement => {
      const statement = asObject(item, `${where} statement ${index}`);
      return {
        ...statement,
        where: `${where}#${String(statement['Sid'] ?? index)}`,
        Action: stringsOf(statement['Action'], `${where} Action`),
        Resource: listOf(statement['Resource']),
      };
    }),
  );
}

/** The statements that apply to one role: its inline policies and the managed policies of this template it attaches. */
export function roleStatements(template: Json, roleId: string): Statement[] {
  const role = resource(template, roleId);
  const attached = new Set(listOf(field(role, 'Properties', 'ManagedPolicyArns')).map((arn) => maybe(arn, 'Ref')));
  return identityStatements(template).filter((statement) => {
    const source = statement.where.split(/[/#]/)[0] as string;
    return source === roleId || attached.has(source);
  });
}

/** Whether an IAM action pattern (wildcards allowed) matches an action, case-insensitively as IAM does. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}
