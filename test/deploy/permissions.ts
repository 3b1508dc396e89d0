import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ROOT } from './stack.js';

/** What the functions' code sends to AWS and which IAM actions that needs, read from the source. */
export const MUTATING_AUTO_SCALING = [
  'autoscaling:TerminateInstanceInAutoScalingGroup',
  'autoscaling:SetDesiredCapacity',
  'autoscaling:UpdateAutoScalingGroup',
  'autoscaling:CreateOrUpdateTags',
  'autoscaling:DeleteTags',
];
export const TAGGING = ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'];

/**
 * The IAM actions behind each SDK command the functions' adapters send. A command missing here
 * fails the test: whoever adds a call decides its permission.
 */
export const COMMAND_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  DescribeAutoScalingGroupsCommand: ['autoscaling:DescribeAutoScalingGroups'],
  DescribeScalingActivitiesCommand: ['autoscaling:DescribeScalingActivities'],
  SetDesiredCapacityCommand: ['autoscaling:SetDesiredCapacity'],
  UpdateAutoScalingGroupCommand: ['autoscaling:UpdateAutoScalingGroup'],
  TerminateInstanceInAutoScalingGroupCommand: ['autoscaling:TerminateInstanceInAutoScalingGroup'],
  CreateOrUpdateTagsCommand: ['autoscaling:CreateOrUpdateTags'],
  DeleteTagsCommand: ['autoscaling:DeleteTags'],
  DescribeInstancesCommand: ['ec2:DescribeInstances'],
  CreateTagsCommand: ['ec2:CreateTags'],
  DescribeLaunchTemplatesCommand: ['ec2:DescribeLaunchTemplates'],
  DescribeLaunchTemplateVersionsCommand: ['ec2:DescribeLaunchTemplateVersions'],
  GetCommand: ['dynamodb:GetItem'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  QueryCommand: ['dynamodb:Query'],
  // A transaction is authorised item by item; the ledger's transactions hold Puts and lock Deletes.
  TransactWriteCommand: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  PutEventsCommand: ['events:PutEvents'],
  DescribeAlarmsCommand: ['cloudwatch:DescribeAlarms'],
  GetParameterCommand: ['ssm:GetParameter'],
  PutObjectCommand: ['s3:PutObject'],
  PublishCommand: ['sns:Publish'],
};
/** Writing the function's own log group, which every Lambda role needs besides what its code calls. */
export const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * Commands that a shared adapter sends from one method only, with that method: the function needs
 * the command's permission only if its code calls the method. The fleet adapter's untagGroup is
 * `phoenix release` lifting a quarantine, which a person runs with their own credentials.
 */
export const SENT_ONLY_BY: Readonly<Record<string, string>> = { DeleteTagsCommand: 'untagGroup' };

/**
 * Commands a library sends for the code that imports it. Powertools' SSMProvider reads the mode
 * parameter with GetParameter: Phoenix calls only its `get`, never `getMultiple` or `set`.
 */
export const LIBRARY_COMMANDS: Readonly<Record<string, readonly string[]>> = { '@aws-lambda-powertools/parameters/ssm': ['GetParameterCommand'] };

/**
 * SDK commands one function's bundle can send: those constructed in the files its entry point
 * reaches through relative imports of code (type-only imports bring none), as esbuild follows them,
 * and those the libraries these files import send for them (LIBRARY_COMMANDS),
 * less those of SENT_ONLY_BY whose method none of these files calls.
 */
export function commandsSentBy(entry: string): string[] {
  const seen = new Set<string>();
  const commands = new Set<string>();
  const calledMethods = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/new (\w+Command)\(/g)) commands.add(match[1] as string);
    // The SDK's paginators send their operation's command themselves.
    for (const match of text.matchAll(/\bpaginate(\w+)\(/g)) commands.add(`${match[1] as string}Command`);
    for (const match of text.matchAll(/^import\s+(?!type\s)[^;]*?\sfrom\s+'(@[^']+)'/gms))
      for (const command of LIBRARY_COMMANDS[match[1] as string] ?? []) commands.add(command);
    for (const match of text.matchAll(/\.(\w+)\(/g)) calledMethods.add(match[1] as string);
    for (const match of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)\.js'/gms)) {
      visit(posix.join(posix.dirname(file), `${match[1] as string}.ts`));
    }
  };
  visit(entry);
  return [...commands].filter((command) => !(command in SENT_ONLY_BY) || calledMethods.has(SENT_ONLY_BY[command] as string)).sort();
}
