import { DEFAULT_SIMULATION, SCENARIOS } from '../../sim/simulate.js';
import { SETTINGS } from '../app/account-settings.js';
import { FORECAST_DAYS } from './forecast.js';
import { HISTORY_DAYS } from './history.js';
import { SIMULATION_BOUNDS } from './simulate-command.js';

/** What `phoenix help CMD`, `phoenix CMD --help` and `phoenix --help` print: options, defaults, an example. */

// Defaults and bounds come from the code that applies them, so the help cannot drift from it.
const SIM = DEFAULT_SIMULATION;
const TICK = SETTINGS.scheduleMinutes;
const BOUNDS = SIMULATION_BOUNDS;

const AWS_LINES = `  --region R        AWS region (default: AWS_REGION, then the profile's region)
  --profile P       AWS profile from ~/.aws/config (default: AWS_PROFILE, then the default chain)
  --endpoint URL    AWS endpoint, such as http://127.0.0.1:5000 (default: AWS_ENDPOINT_URL)
  --debug           print the stack of an unexpected failure`;

const LEDGER_LINES = `  --stage S         read the ledger of the stack deployed with --stage S
  --table NAME      read this ledger table
                    (default: PHOENIX_LEDGER_TABLE, else the ledger of the one Phoenix stack in
                    the region; the command says on stderr which table it read)`;

export const COMMAND_USAGE = {
  plan: `usage: phoenix plan [--at ISO] [--group NAME|GLOB] [--actions] [--json] [--tick-minutes N]
                   [--stage S | --table NAME] [--region R] [--profile P] [--endpoint URL]

What a tick would do now (or at --at) for every opted-in group, and why. Reads only, never acts.
Opens with counts by action and reason, then the groups that will not keep max-age (when, why
and what would keep up), the groups that need a person (bad tags, quarantines), the groups a
tick would act on, and the rest by reason.

  --at ISO          the time to plan for, with Z or an offset, such as 2026-11-23T09:00:00Z;
                    not before the fleet's newest instance was launched (default: now)
  --group NAME|GLOB only these groups, each with its instances (* and ? match any text or one character)
  --actions         only the groups a tick would act on
  --json            one JSON object: each group's action, instanceId, decision, reason, why,
                    launch template (name and id), instances and deadline
  --tick-minutes N  the recycler's schedule, ${TICK.min} to ${TICK.max} (default: ${TICK.default})
${LEDGER_LINES}
${AWS_LINES}

example: phoenix plan --region eu-west-1 --group 'web-*'`,
  forecast: `usage: phoenix forecast [--days N] [--json]
                       [--stage S | --table NAME] [--region R] [--profile P] [--endpoint URL]

Reads the opted-in groups and the ledger once, then runs the real recycler and verifier on a
copy of them in the fleet simulator over the next N days, offline: what will be recycled when,
where max-age will be breached, how many replacements and extra instance-hours. Assumes no
failures and no scaling: every launch succeeds and desired capacity stays as it is now.

  --days N          days ahead, ${FORECAST_DAYS.min} to ${FORECAST_DAYS.max} (default: ${FORECAST_DAYS.default})
  --json            one JSON object: perDay, firstPerGroup, breaches, replacements,
                    extraInstanceHours, ageDebtHours and what it assumes
${LEDGER_LINES}
${AWS_LINES}

example: phoenix forecast --region eu-west-1 --days 14`,
  report: `usage: phoenix report [--week 2026-W47] [--format md|html|json] [--time-zone ZONE]
                     [--stage S | --table NAME] [--region R] [--profile P] [--endpoint URL]

Renders a past week's recycle report from the ledger, as the reporter function sends it.

  --week YYYY-Www   the ISO week (default: the last complete week); the current week is marked
                    partial, a week still to come is refused
  --format F        md, html or json (default: md)
  --time-zone ZONE  whose Monday midnights bound the week (default: UTC)
${LEDGER_LINES}
${AWS_LINES}

example: phoenix report --region eu-west-1 --week 2026-W47 --format json`,
  simulate: `usage: phoenix simulate [--groups N] [--size M] [--days D] [--seed S] [--scenario NAME]
                       [--json | --report md|html|json]

Runs the real recycler and verifier on the in-process fleet simulator over a virtual clock;
the same seed gives the same result. No AWS account needed.

  --groups N        groups, ${BOUNDS.groups.min} to ${BOUNDS.groups.max} (default: ${SIM.groups})
  --size M          instances per group, ${BOUNDS.size.min} to ${BOUNDS.size.max} (default: ${SIM.size})
  --days D          simulated days, ${BOUNDS.days.min} to ${BOUNDS.days.max} (default: ${SIM.days})
                    at most ${BOUNDS.instances.toLocaleString('en')} instances (groups times size) and ${BOUNDS.instanceDays.toLocaleString('en')}
                    instance-days; past ${BOUNDS.progressFrom.toLocaleString('en')} instance-days, progress on stderr
  --seed S          random seed, 0 to 4294967295 (default: ${SIM.seed})
  --scenario NAME   one of ${SCENARIOS.join(', ')}
                    (default: ${SIM.scenario})
  --json            the run summary as one JSON object
  --report F        the last simulated week's recycle report instead, as md, html or json

example: phoenix simulate --scenario launch-failure --days 3`,
  history: `usage: phoenix history GROUP [--days N] [--json] [--stage S | --table NAME]
                        [--region R] [--profile P] [--endpoint URL]

GROUP's replacements from the ledger, oldest first: when each started, the instance, the
reason, live or dry-run, the outcome, the instance's age and how long the group took to recover.

  --days N          how far back, ${HISTORY_DAYS.min} to ${HISTORY_DAYS.max} (the ledger's retention; default: ${HISTORY_DAYS.default})
  --json            one JSON object: the group and its replacements
${LEDGER_LINES}
${AWS_LINES}

example: phoenix history web-frontend --region eu-west-1 --days 7`,
  tag: `usage: phoenix tag GLOB [--set KEY=VALUE]... [--remove KEY]... [--apply] [--json]
                    [--region R] [--profile P] [--endpoint URL]

Sets or removes phoenix: tags on every Auto Scaling group whose name matches GLOB (* and ? match
any text or one character): enrols many groups at once. Prints what it would change and changes
nothing unless --apply is given. Values are checked as the recycler reads them. Writes with your
own credentials (autoscaling:CreateOrUpdateTags and DeleteTags); the functions' role cannot tag a
group that is not opted in.

  --set KEY=VALUE   a phoenix: tag to set, such as phoenix:enabled=dry-run (repeatable)
  --remove KEY      a phoenix: tag to remove, such as phoenix:quarantined (repeatable)
  --apply           write the changes (default: only print them)
  --json            one JSON object: the changes, the groups already as asked, and any that failed
${AWS_LINES}

example: phoenix tag 'team-a-*' --set phoenix:enabled=dry-run --set phoenix:max-age=14d --region eu-west-1`,
  release: `usage: phoenix release GROUP [--json] [--region R] [--profile P] [--endpoint URL]
       phoenix release --version V | --ami AMI [--json] [--stage S | --table NAME]
                       [--region R] [--profile P] [--endpoint URL]

Lifts a quarantine: removes the phoenix:quarantined tag from GROUP and prints what it said.
With --version or --ami, lifts a blocked version instead: groups launching it go on from the
next tick, which announces Version Released. Runs with your own credentials, named as who released it.

  --version V       a blocked launch template version, such as lt-0abc123:7 (lc:NAME for a
                    launch configuration)
  --ami AMI         a blocked AMI, such as ami-0abc1234def567890
  --json            the result as one JSON object
  --stage S         with --version or --ami: the ledger of the stack deployed with --stage S
  --table NAME      with --version or --ami: this ledger table
                    (default: PHOENIX_LEDGER_TABLE, else the ledger of the one Phoenix stack in
                    the region; the command says on stderr which table it read)
${AWS_LINES}

example: phoenix release --version lt-0abc123:7 --region eu-west-1`,
  selftest: `usage: phoenix selftest [--stage S] [--subnets ID,ID] [--keep] [--json] [--yes] [--plan]
                       [--region R] [--profile P] [--endpoint URL]

Proves a deployed stack in your own account in about 15 minutes: makes a throwaway launch template
(the latest Amazon Linux 2023 for arm64, the cheapest current arm64 type), two groups of size 1,
max 2, tagged phoenix:selftest=true, one opted in and one decoy, and one standalone instance outside
any group; asks the deployed recycler to replace the opted-in group's instance and watches each step
(surge, new instance InService and Healthy, old one terminated through Auto Scaling, Auto Scaling's
events in the verifier's log, verified in the ledger, events on the bus); asks the recycler to act
on the decoy and the tainter to tag the standalone instance, and expects AWS to refuse both; reads
the mode parameter, the stop alarms and the dashboard; then removes what it made, also after a
failure or Ctrl-C (an instance whose launch answer was lost is found by its Name). States the cost
and duration first and asks before making anything. Exit 0 only if every check passed. Runs with
your own credentials; the functions act through their own roles.

  --stage S         the stage the stack was deployed with (default: dev, as osls deploy)
  --subnets ID,ID   subnets for the two groups (default: the default VPC's default subnets)
  --keep            leave what it made for inspection and print how to remove it
  --json            the checklist as one JSON object
  --yes             run without asking (required without a terminal)
  --plan            check the stack and your permissions and print what a run would do; make nothing
${AWS_LINES}

example: phoenix selftest --stage prod --region eu-west-1 --plan`,
  recycle: `usage: phoenix recycle GROUP [--instance ID] [--json] [--region R] [--profile P] [--endpoint URL]

Asks that an instance of an opted-in group be replaced first, at the next tick that may act on
the group: tags it phoenix:recycle-requested=at=<now>;by=<your ARN>. The replacement still
passes every gate (budget, window, min-healthy, brakes, snooze). Runs with your own credentials
(ec2:CreateTags). Refuses a group not tagged phoenix:enabled=true, an instance not in it, and an
exempt, protected, unhealthy or not InService instance.

  --instance ID     the instance to replace (default: the oldest one Phoenix may pick)
  --json            what was marked, as one JSON object
${AWS_LINES}

example: phoenix recycle web-api --region eu-west-1`,
  demo: `usage: phoenix demo

A simulated week of the steady scenario (seed 1), explained: the same as phoenix simulate
with its defaults. No AWS account needed.

example: phoenix demo`,
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_USAGE, name);
}

export const USAGE = `usage: phoenix <command> [options]

commands:
  plan       what a tick would do now (or at --at) for every opted-in group, and why; reads only
  forecast   the next days of recycling of the real fleet, simulated offline; reads only
  report     a past week's recycle report from the ledger
  simulate   the real recycler on the in-process fleet simulator (no AWS needed)
  demo       a simulated week of the steady scenario, explained
  history    one group's replacements from the ledger
  tag        sets or removes phoenix: tags on every group matching a name glob
  release    lifts a quarantine from a group, or a version's block
  selftest   proves a deployed stack in your account: one real replacement, IAM refusing out of opt-in
  recycle    asks that an instance be replaced first at the next tick

phoenix help COMMAND or phoenix COMMAND --help prints a command's options, defaults and an example.
phoenix --version prints the version.

exit codes: 0 success, 2 bad arguments, 1 anything else (--debug prints the stack)`;
