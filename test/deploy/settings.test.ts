import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type Setting, type SettingName } from '../../functions/app/account-settings.js';
import { parseBudgetText } from '../../functions/core/policy/tags.js';
import { asArray, asObject, asString, field, type Json, maybe, ROOT, readYaml, stringRecord } from './stack.js';

/**
 * functions/app/account-settings.ts is the one table of account-level settings. Everything else
 * that names one, serverless.yml, the stack's and the StackSet's CloudFormation parameters and the
 * docs (deploy.md, operations.md), is read here from the source and held to it: a bound, default or name that drifts fails.
 */

const text = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const yaml = (path: string): Json => readYaml(text(path), path);

const ALL = Object.entries(SETTINGS) as [SettingName, Setting][];
const STACK = ALL.filter(([, setting]) => setting.deploy === 'stack');
const DEPLOYED = ALL.filter(([, setting]) => setting.deploy !== undefined);
const pascal = (name: string): string => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
const sorted = (values: Iterable<string>): string[] => [...values].sort();

const SERVERLESS = yaml('serverless.yml');
/** The stack's CloudFormation parameters: those of every infra/ file serverless.yml takes its resources from. */
const STACK_PARAMETERS: Record<string, Json> = Object.fromEntries(
  asArray(field(SERVERLESS, 'resources'), 'resources').flatMap((entry) => {
    const file = /^\$\{file\((.+)\)\}$/.exec(asString(entry, 'resources[]'))?.[1];
    if (file === undefined) throw new Error(`resources: ${JSON.stringify(entry)} is not \${file(...)}`);
    return Object.entries(asObject(maybe(yaml(file), 'Parameters') ?? {}, `${file} Parameters`));
  }),
);
const STACKSET = yaml('infra/stackset.yml');

/** What a CloudFormation parameter must say for a setting: its type and exactly the table's constraints. */
function constraints(setting: Setting): Record<string, Json> {
  switch (setting.kind) {
    case 'whole':
      return { Type: 'Number', MinValue: String(setting.min), MaxValue: String(setting.max) };
    case 'choice':
      return { Type: 'String', AllowedValues: [...setting.choices] };
    case 'list':
      return { Type: 'String' };
    case 'text':
      return {
        Type: 'String',
        ...(setting.pattern === undefined ? {} : { AllowedPattern: setting.pattern, ConstraintDescription: setting.expected }),
        ...(setting.minLength === undefined ? {} : { MinLength: String(setting.minLength) }),
      };
  }
}

const CONSTRAINT_KEYS = ['Type', 'MinValue', 'MaxValue', 'AllowedValues', 'AllowedPattern', 'ConstraintDescription', 'MinLength', 'MaxLength'];
const constraintsOf = (parameter: Json | undefined): Record<string, Json> =>
  Object.fromEntries(CONSTRAINT_KEYS.flatMap((key) => (maybe(parameter, key) === undefined ? [] : [[key, maybe(parameter, key) as Json]])));

/** The rows of the Markdown table right after the line of `page` that starts with `heading`, by their first cell. */
function markdownRows(page: string, heading: string): Map<string, string[]> {
  const lines = text(page).split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) throw new Error(`${page} has no line starting with ${heading}`);
  const tableStart = lines.findIndex((line, index) => index > start && line.startsWith('|'));
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(tableStart + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    rows.set((cells[0] ?? '').replaceAll('`', ''), cells.slice(1));
  }
  return rows;
}

/** The docs' words for a default: a value in backticks, `empty` for an empty text, `unset` for none. */
const parameterDefault = (setting: Setting): string => (setting.default === undefined ? 'unset' : setting.default === '' ? 'empty' : `\`${setting.default}\``);

describe('serverless.yml', () => {
  it('has a deploy parameter per stack setting, with the default the table gives', () => {
    const params = stringRecord(field(SERVERLESS, 'params', 'default'), 'params.default');
    expect(params).toEqual(Object.fromEntries(STACK.map(([name, setting]) => [name, String(setting.default)])));
  });

  it('reads every parameter only osls uses with a fallback, so leaving it out is a valid deploy', () => {
    for (const [name] of DEPLOYED.filter(([, setting]) => setting.deploy === 'osls')) expect(text('serverless.yml')).toContain(`\${param:${name}, `);
  });

  it('sets every variable a function reads, a stack setting from its stack parameter', () => {
    const functions = asObject(field(SERVERLESS, 'functions'), 'functions');
    const environment: Record<string, string> = Object.fromEntries([
      ...Object.entries(stringRecord(field(SERVERLESS, 'provider', 'environment'), 'provider.environment')),
      ...Object.entries(functions).flatMap(([name, fn]) => Object.entries(stringRecord(maybe(fn, 'environment') ?? {}, `functions.${name}.environment`))),
    ]);
    const variables = ALL.flatMap(([name, setting]) => (setting.variable === undefined ? [] : [{ name, setting, variable: setting.variable.name }]));
    expect(sorted(Object.keys(environment))).toEqual(sorted(variables.map(({ variable }) => variable)));
    for (const { name, setting, variable } of variables) {
      if (setting.deploy === 'stack') expect(environment[variable], variable).toBe(`!Ref ${pascal(name)}`);
    }
  });
});

describe("the stack's CloudFormation parameters", () => {
  it('are exactly the stack settings, in PascalCase, each defaulting to its deploy parameter', () => {
    expect(sorted(Object.keys(STACK_PARAMETERS))).toEqual(sorted(STACK.map(([name]) => pascal(name))));
    for (const [name] of STACK) expect(field(STACK_PARAMETERS[pascal(name)], 'Default'), name).toBe(`\${param:${name}}`);
  });

  it.each(STACK.map(([name, setting]) => ({ name, setting })))('$name has the type and bounds of the table', ({ name, setting }) => {
    expect(constraintsOf(STACK_PARAMETERS[pascal(name)])).toEqual(constraints(setting));
  });

  it('the mode parameter in SSM accepts exactly the modes the table lists', () => {
    const allowed = field(yaml('infra/mode.yml'), 'Resources', 'ModeParameter', 'Properties', 'AllowedPattern');
    expect(allowed).toBe(`^(${SETTINGS.mode.choices.join('|')})$`);
  });
});

describe('the organisation StackSet (infra/stackset.yml)', () => {
  it('passes exactly the stack settings to every account, each from its own parameter of the same name', () => {
    const passed = asArray(field(STACKSET, 'Resources', 'PhoenixStackSet', 'Properties', 'Parameters'), 'StackSet Parameters');
    const pairs = passed.map((entry) => `${asString(field(entry, 'ParameterKey'))}=${asString(field(entry, 'ParameterValue'))}`);
    expect(sorted(pairs)).toEqual(sorted(STACK.map(([name]) => `${pascal(name)}=!Ref ${pascal(name)}`)));
  });

  it.each(STACK.map(([name, setting]) => ({ name, setting })))('$name has the default, type and bounds of the table', ({ name, setting }) => {
    const parameter = field(STACKSET, 'Parameters', pascal(name));
    expect(field(parameter, 'Default')).toBe(String(setting.default));
    expect(constraintsOf(parameter)).toEqual(constraints(setting));
  });
});

describe('the docs', () => {
  it('lists every deploy parameter with its default, and the bounds and choices of each', () => {
    const rows = markdownRows('docs/deploy.md', '**Parameters**');
    expect(sorted(rows.keys())).toEqual(sorted(DEPLOYED.map(([name]) => name)));
    for (const [name, setting] of DEPLOYED) {
      const [shownDefault, meaning = ''] = rows.get(name) ?? [];
      expect(shownDefault, name).toBe(parameterDefault(setting));
      if (setting.kind === 'whole') expect(meaning, name).toContain(`${setting.min} to ${setting.max}`);
      if (setting.kind === 'choice') for (const choice of setting.choices) expect(meaning, name).toContain(`\`${choice}\``);
    }
  });

  it("lists every variable the recycler reads with its default and bounds, and names the reporter's", () => {
    const rows = markdownRows('docs/operations.md', 'The recycler and verifier read their configuration');
    const recycler = ALL.filter(([, setting]) => setting.variable?.readBy.includes('recycler') === true);
    expect(sorted(rows.keys())).toEqual(sorted(recycler.map(([, setting]) => setting.variable?.name ?? '')));
    for (const [, setting] of recycler) {
      const variable = setting.variable?.name ?? '';
      const [meaning = '', shownDefault = ''] = rows.get(variable) ?? [];
      if (setting.required === true) expect(shownDefault, variable).toMatch(/^required/);
      else if (setting.default === undefined || setting.default === '') expect(['-', 'none'], variable).toContain(shownDefault);
      else expect(shownDefault, variable).toBe(`\`${setting.default}\``);
      if (setting.kind === 'whole') expect(meaning, variable).toContain(`${setting.min} to ${setting.max}`);
    }
    const reporter =
      text('docs/operations.md')
        .split('\n\n')
        .find((paragraph) => paragraph.startsWith('The reporter reads')) ?? '';
    for (const [, setting] of ALL.filter(([, entry]) => entry.variable?.readBy.includes('reporter') === true))
      expect(reporter).toContain(`\`${setting.variable?.name ?? ''}\``);
  });
});

describe('the patterns the stack checks', () => {
  it.each(['', '1/hour', '6/day', '999/week', '1000/day', '1001/day', '0/day', '9999/week', '06/day', '6/fortnight', '6 /day', 'six/day'])(
    'the budget ceiling %j passes CloudFormation exactly when the functions accept it',
    (value) => {
      expect(new RegExp(SETTINGS.maxGroupBudget.pattern).test(value)).toBe(value === '' || parseBudgetText(value) !== undefined);
    },
  );
});
