import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { clientConfig } from '../adapters/aws-config.js';
import { AwsGroupTags, type GroupTags } from '../adapters/group-tags.js';
import { TAG } from '../core/policy/policy.js';
import { parseGroupPolicy } from '../core/policy/tags.js';
import { type OptionValues, parseOptions } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { UsageError } from './errors.js';
import { failureLine } from './failures.js';
import { globPattern } from './glob.js';
import type { Output } from './output.js';

/** What `phoenix tag` asks for: tags to set and tag keys to remove, on every group whose name matches. */
export interface TagRequest {
  readonly glob: string;
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

export interface TagChange {
  readonly group: string;
  /** Each key set, with its value before (null: absent) and after. */
  readonly set: Readonly<Record<string, { readonly from: string | null; readonly to: string }>>;
  readonly remove: readonly string[];
}

export interface TagPlan {
  readonly glob: string;
  readonly matched: number;
  readonly changes: readonly TagChange[];
  /** Matching groups whose tags are already as asked. */
  readonly unchanged: readonly string[];
}

const PREFIX = 'phoenix:';

function texts(value: OptionValues[string]): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** --set KEY=VALUE and --remove KEY, each checked as the recycler will read it: a bad value changes nothing. */
export function parseTagRequest(glob: string, values: OptionValues): TagRequest {
  const set: Record<string, string> = {};
  for (const pair of texts(values['set'])) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--set: "${pair}" is not valid: expected KEY=VALUE such as phoenix:enabled=dry-run`);
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    if (!key.startsWith(PREFIX)) throw new UsageError(`--set: "${key}" is not a Phoenix tag: expected a key starting with ${PREFIX}`);
    // Read with the opt-in present, or the other tags would not be read at all.
    const parsed = parseGroupPolicy({ [TAG.enabled]: 'true', [key]: value });
    const problem = parsed.ok ? undefined : parsed.errors.find((error) => error.tag === key);
    if (problem !== undefined) throw new UsageError(`--set: ${problem.message}`);
    set[key] = value;
  }
  const remove = texts(values['remove']);
  for (const key of remove) {
    if (!key.startsWith(PREFIX)) throw new UsageError(`--remove: "${key}" is not a Phoenix tag: expected a key starting with ${PREFIX}`);
    if (key in set) throw new UsageError(`--remove: "${key}" is also in --set: expected each key in one of them`);
  }
  if (Object.keys(set).length === 0 && remove.length === 0) {
    throw new UsageError('phoenix tag: nothing to change: expected --set KEY=VALUE or --remove KEY (phoenix tag --help)');
  }
  return { glob, set, remove };
}

/** The changes the request makes to the groups whose names match; a glob matching none is an error naming it. */
export function planTags(groups: readonly GroupTags[], request: TagRequest): TagPlan {
  const pattern = globPattern(request.glob);
  const matching = groups.filter((group) => pattern.test(group.name)).sort((a, b) => a.name.localeCompare(b.name));
  if (matching.length === 0) {
    throw new UsageError(`GLOB: "${request.glob}" matches none of the ${groups.length} Auto Scaling groups in this account and region`);
  }
  const changes: TagChange[] = [];
  const unchanged: string[] = [];
  for (const group of matching) {
    const set = Object.fromEntries(
      Object.entries(request.set)
        .filter(([key, value]) => group.tags[key] !== value)
        .map(([key, value]) => [key, { from: group.tags[key] ?? null, to: value }]),
    );
    const remove = request.remove.filter((key) => key in group.tags);
    if (Object.keys(set).length === 0 && remove.length === 0) unchanged.push(group.name);
    else changes.push({ group: group.name, set, remove });
  }
  return { glob: request.glob, matched: matching.length, changes, unchanged };
}

function changeLines(change: TagChange): string[] {
  return [
    ...Object.entries(change.set).map(
      ([key, { from, to }]) => `  ${change.group}: ${key} ${from === null ? '(unset)' : JSON.stringify(from)} -> ${JSON.stringify(to)}`,
    ),
    ...change.remove.map((key) => `  ${change.group}: ${key} removed`),
  ];
}

export function formatTagPlan(plan: TagPlan, applied: boolean): string {
  const lines = [
    `phoenix tag ${plan.glob}: ${plan.matched} groups match; ${plan.changes.length} ${applied ? 'changed' : 'would change'}, ${plan.unchanged.length} already as asked`,
  ];
  for (const change of plan.changes) lines.push(...changeLines(change));
  if (!applied && plan.changes.length > 0) lines.push('', 'Nothing changed: pass --apply to write these tags (with your own AWS credentials).');
  return lines.join('\n');
}

export async function tagCommand(args: readonly string[], output: Output): Promise<number> {
  const [glob, ...rest] = args;
  if (glob === undefined || glob.startsWith('-')) {
    throw new UsageError("phoenix tag: GLOB is missing: expected a group name or a glob such as 'web-*' first (phoenix tag --help)");
  }
  const values = parseOptions('tag', rest, {
    set: { type: 'string', multiple: true },
    remove: { type: 'string', multiple: true },
    apply: { type: 'boolean' },
    json: { type: 'boolean' },
    ...AWS_OPTIONS,
  });
  const request = parseTagRequest(glob, values);
  const aws = awsOptions(values);
  const tags = new AwsGroupTags(new AutoScalingClient(clientConfig(aws)));
  const plan = planTags(await tags.listGroups(), request);
  const apply = values['apply'] === true;
  const failed: { group: string; error: string }[] = [];
  if (apply) {
    // Group by group, so one refused write (a tag policy, a deleted group) leaves the others done and is named.
    for (const change of plan.changes) {
      try {
        await tags.setTags(change.group, Object.fromEntries(Object.entries(change.set).map(([key, { to }]) => [key, to])));
        await tags.removeTags(change.group, change.remove);
      } catch (error) {
        failed.push({ group: change.group, error: failureLine(error, { profile: process.env['AWS_PROFILE'], endpoint: aws.endpoint }) });
      }
    }
  }
  const done = failed.length === 0 ? plan : { ...plan, changes: plan.changes.filter((change) => !failed.some((failure) => failure.group === change.group)) };
  if (values['json'] === true) output.stdout(JSON.stringify({ applied: apply, ...done, failed }, null, 2));
  else output.stdout(formatTagPlan(done, apply));
  for (const failure of failed) output.stderr(`phoenix tag: ${failure.group} not changed: ${failure.error}`);
  return failed.length === 0 ? 0 : 1;
}
