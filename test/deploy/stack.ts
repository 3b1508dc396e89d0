import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessResult, run } from '../support/processes.js';

/**
 * What the deployment tests share: the repository's paths, the functions osls packages, the
 * packaging itself (offline, with dummy credentials) and accessors for the template it writes.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OSLS = join(ROOT, 'node_modules/osls/bin/serverless.js');
export const OFFLINE_GUARD = join(ROOT, 'test/deploy/offline-guard.cjs');
/** Each function of serverless.yml and its bundle directory under dist/functions/. */
export const FUNCTIONS = { recycler: 'recycler', verifier: 'verifier', tainter: 'tainter', reporter: 'reporter' } as const;
/** osls's logical id of a function's Lambda resource. */
export const lambdaId = (name: string): string => `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}LambdaFunction`;
export const REGION = 'eu-west-1';
/** The stage the tests package, so the stack osls would deploy is phoenix-test. */
export const STAGE = 'test';

// The packaged template is parsed JSON of CloudFormation's own loose shape; the accessors below
// check each step of a path and throw, naming it, when the template is not shaped as expected.
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };
type Key = string | number;

const describePath = (path: readonly Key[]): string => (path.length === 0 ? 'the value' : path.map(String).join('.'));
export const isArray = (value: Json | undefined): value is readonly Json[] => Array.isArray(value);
export const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !isArray(value);

export function asObject(value: Json | undefined, what = 'the value'): JsonObject {
  if (!isObject(value)) throw new Error(`${what} is not an object: ${JSON.stringify(value)}`);
  return value;
}

export function asArray(value: Json | undefined, what = 'the value'): readonly Json[] {
  if (!isArray(value)) throw new Error(`${what} is not an array: ${JSON.stringify(value)}`);
  return value;
}

export function asString(value: Json | undefined, what = 'the value'): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string: ${JSON.stringify(value)}`);
  return value;
}

/** Like `value.a.b.c`: every step before the last must exist (an object, or an array for a numeric key); the last may be absent. */
export function field(value: Json | undefined, ...path: Key[]): Json | undefined {
  let current = value;
  for (const [index, key] of path.entries()) {
    const where = describePath(path.slice(0, index));
    current = typeof key === 'number' ? asArray(current, where)[key] : asObject(current, where)[key];
  }
  return current;
}

/** Like `value?.a?.b?.c`: undefined as soon as a step is missing or not a container. */
export function maybe(value: Json | undefined, ...path: Key[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') current = isArray(current) ? current[key] : undefined;
    else current = isObject(current) ? current[key] : undefined;
  }
  return current;
}

/** IAM's "one or many": undefined is none, an array is itself, anything else is one. */
export const listOf = (value: Json | undefined): readonly Json[] => (value === undefined ? [] : isArray(value) ? value : [value]);
export const stringsOf = (value: Json | undefined, what: string): string[] => listOf(value).map((item, index) => asString(item, `${what}[${index}]`));

export function stringRecord(value: Json | undefined, what: string): Record<string, string> {
  return Object.fromEntries(Object.entries(asObject(value, what)).map(([key, inner]) => [key, asString(inner, `${what}.${key}`)]));
}

/** A minimal, hermetic environment: no real credentials or profile, a throwaway home, no instance metadata. */
export function offlineEnvironment(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export function resourcesOfType(template: Json, type: string): [string, Json][] {
  return Object.entries(asObject(field(template, 'Resources'), 'Resources')).filter(([, resource]) => maybe(resource, 'Type') === type);
}

export function resource(template: Json, logicalId: string): Json {
  const found = field(template, 'Resources', logicalId);
  if (found === undefined) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

export interface Packaged {
  readonly dir: string;
  readonly template: Json;
  readonly seconds: number;
  readonly result: ProcessResult;
}

/**
 * `osls package` of the service directory (serverless.yml, infra/ and the bundles its functions
 * name) into `out`, with every connection beyond loopback refused and only dummy credentials.
 */
export async function packageService(service: string, out: string, home: string, extraArgs: readonly string[]): Promise<Packaged> {
  const started = performance.now();
  const result = await run(
    process.execPath,
    ['--require', OFFLINE_GUARD, OSLS, 'package', '--stage', STAGE, '--region', REGION, '--package', out, ...extraArgs],
    offlineEnvironment(home),
    { cwd: service, inheritEnv: false },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`osls package ${extraArgs.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Json;
  return { dir: out, template, seconds, result };
}

/**
 * The YAML subset serverless.yml and infra/ are written in, read into Json: block mappings and
 * sequences (a sequence item may open a mapping), plain and quoted scalars, `>` and `|` blocks and
 * comments. Every scalar stays a string (`10` and `'10'` alike) and anything else, a flow
 * collection or a CloudFormation tag such as `!Ref Mode`, stays the text it is written as: the
 * checks compare text. A tag alone on its line becomes the key of the block below it
 * (`{ "!Sub": [...] }`). A line outside the subset throws, naming it.
 */
export function readYaml(text: string, what: string): Json {
  const lines = text
    .split('\n')
    .map((raw, index) => ({ raw, number: index + 1 }))
    .filter((line) => !/^\s*(#.*)?$/.test(line.raw));
  let next = 0;
  const indentOf = (raw: string): number => raw.length - raw.trimStart().length;
  const isItem = (raw: string): boolean => /^-(\s|$)/.test(raw.trimStart());
  const fail = (problem: string): never => {
    const line = lines[next];
    throw new Error(`${what}:${line?.number ?? 'end'}: ${problem}: ${JSON.stringify(line?.raw ?? '')}`);
  };

  function scalar(written: string): string {
    if (/^'.*'$/.test(written)) return written.slice(1, -1).replaceAll("''", "'");
    if (/^".*"$/.test(written)) return JSON.parse(written) as string;
    return written.replace(/\s+#.*$/, '');
  }

  function blockScalar(style: string, indent: number): string {
    const body: string[] = [];
    while (next < lines.length && indentOf(lines[next]?.raw ?? '') > indent) body.push((lines[next++]?.raw ?? '').trim());
    return body.join(style.startsWith('>') ? ' ' : '\n');
  }

  function valueAfterKey(written: string, indent: number): Json {
    if (/^[>|][-+]?$/.test(written)) return blockScalar(written, indent);
    // A tag alone (`!Sub`) applies to the block below it: kept as the key of that block.
    const tag = /^![\w:]+$/.test(written) ? written : undefined;
    if (written !== '' && tag === undefined) return scalar(written);
    const following = lines[next]?.raw;
    const deeper = following !== undefined && (indentOf(following) > indent || (indentOf(following) === indent && isItem(following)));
    const nested = following !== undefined && deeper ? block(indentOf(following)) : null;
    return tag === undefined ? nested : { [tag]: nested };
  }

  function mapping(indent: number): { [key: string]: Json } {
    const result: { [key: string]: Json } = {};
    for (let line = lines[next]; line !== undefined && indentOf(line.raw) === indent && !isItem(line.raw); line = lines[next]) {
      const match = /^(.+?):(?:\s+(.*))?$/.exec(line.raw.trim());
      if (match === null) return fail('expected "key: value"');
      next += 1;
      result[scalar(match[1] ?? '')] = valueAfterKey((match[2] ?? '').trim(), indent);
    }
    return result;
  }

  function sequence(indent: number): Json[] {
    const items: Json[] = [];
    for (let line = lines[next]; line !== undefined && indentOf(line.raw) === indent && isItem(line.raw); line = lines[next]) {
      const written = line.raw.trim().slice(1).trim();
      if (/^[^'"![{][^:]*:(\s|$)/.test(written)) {
        // `- key: value` opens a mapping whose keys line up after the dash.
        lines[next] = { raw: `${' '.repeat(indent + 2)}${written}`, number: line.number };
        items.push(mapping(indent + 2));
      } else {
        next += 1;
        items.push(valueAfterKey(written, indent));
      }
    }
    return items;
  }

  function block(indent: number): Json {
    return isItem(lines[next]?.raw ?? '') ? sequence(indent) : mapping(indent);
  }

  const document = block(0);
  if (next < lines.length) fail('unexpected indentation');
  return document;
}
