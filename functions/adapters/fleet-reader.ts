import type { Instance as AsgInstance, AutoScalingClient, AutoScalingGroup, LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling';
import { paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, LaunchTemplate } from '@aws-sdk/client-ec2';
import { DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import type { Group, Instance, LaunchSource, LifecycleState } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';
import { chunks, GROUPS_PER_CALL, INSTANCES_PER_CALL, tagsOf } from './api-shapes.js';
import { describeExistingInstances } from './describe-instances.js';
import type { TemplateVersion } from './launch-images.js';

/** DescribeLaunchTemplates takes 200 ids or names a call. */
const TEMPLATES_PER_CALL = 200;

const LIFECYCLE_STATES: ReadonlySet<string> = new Set<LifecycleState>([
  'Pending',
  'Pending:Wait',
  'Pending:Proceed',
  'InService',
  'Standby',
  'EnteringStandby',
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
  'Detaching',
]);

function lifecycleState(value: string | undefined): LifecycleState {
  return value !== undefined && LIFECYCLE_STATES.has(value) ? (value as LifecycleState) : 'Other';
}

/** What an instance needs from EC2 that Auto Scaling does not say: when it launched, and its tags. */
interface Ec2Facts {
  readonly launchedAt: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly imageId: string | undefined;
}

/** The group's launch template as configured, before `$Latest`/`$Default` are resolved. */
function templateSpecOf(group: AutoScalingGroup): LaunchTemplateSpecification | undefined {
  // A mixed-instances policy whose overrides name other templates has no single current source.
  const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
  if (mixed !== undefined) {
    const overridesOwnTemplates = (mixed.Overrides ?? []).some((override) => override.LaunchTemplateSpecification !== undefined);
    return overridesOwnTemplates ? undefined : mixed.LaunchTemplateSpecification;
  }
  return group.LaunchTemplate;
}

/** Where a template version's AMI is looked up when no running instance tells it (launch-images.ts). */
export interface ImageLookup {
  imagesOf(versions: readonly TemplateVersion[], running: ReadonlyMap<string, string>): Promise<ReadonlyMap<string, string>>;
}

export interface AwsFleetOptions {
  readonly autoScaling: AutoScalingClient;
  readonly ec2: EC2Client;
  /**
   * Absent (the reporter), a version's AMI is only what its running instances tell: the lookup's EC2
   * command would add its response parser to a bundle that never needs it.
   */
  readonly images?: ImageLookup;
}

/**
 * The fleet's reads: Describe calls only, so a function that only reads the fleet (the reporter) is
 * built and granted without any Auto Scaling change.
 */
export class AwsFleetReader {
  constructor(protected readonly options: AwsFleetOptions) {}

  async listOptedInGroups(): Promise<Group[]> {
    const groups: AutoScalingGroup[] = [];
    const pages = paginateDescribeAutoScalingGroups(
      { client: this.options.autoScaling, pageSize: GROUPS_PER_CALL },
      { Filters: [{ Name: 'tag-key', Values: [TAG.enabled] }] },
    );
    for await (const page of pages) groups.push(...(page.AutoScalingGroups ?? []));
    return this.toGroups(groups);
  }

  /**
   * Groups as Auto Scaling describes them, with what EC2 knows of their instances and their launch
   * source resolved. What `known` already holds (a read of these groups moments ago) is not asked for
   * again: launch times never change, and a group's template version is taken as it was then.
   */
  protected async toGroups(groups: readonly AutoScalingGroup[], known: ReadonlyMap<string, Group> = new Map()): Promise<Group[]> {
    const knownFacts = new Map<string, Ec2Facts>();
    for (const group of known.values()) {
      for (const instance of group.instances) knownFacts.set(instance.id, { ...instance, imageId: instance.launchSource?.imageId });
    }
    const unknownIds = groups.flatMap((group) =>
      (group.Instances ?? []).flatMap((instance) => (instance.InstanceId === undefined || knownFacts.has(instance.InstanceId) ? [] : [instance.InstanceId])),
    );
    const unresolved = groups.filter((group) => !known.has(group.AutoScalingGroupName ?? ''));
    const [facts, templates] = await Promise.all([this.ec2Facts(unknownIds), this.launchTemplates(unresolved)]);
    for (const [id, fact] of knownFacts) if (!facts.has(id)) facts.set(id, fact);
    const sources = new Map(unresolved.map((group) => [group.AutoScalingGroupName ?? '', currentSource(group, templates)]));
    const running = runningImages(groups, facts);
    const images =
      this.options.images === undefined
        ? running
        : await this.options.images.imagesOf(
            [...sources.values()].flatMap((source) => (source?.kind === 'template' ? [source] : [])),
            running,
          );
    return groups.map((group) => {
      const name = group.AutoScalingGroupName ?? '';
      const before = known.get(name);
      return this.toGroup(group, facts, before === undefined ? withImage(sources.get(name), images) : before.launchSource);
    });
  }

  private toGroup(group: AutoScalingGroup, facts: ReadonlyMap<string, Ec2Facts>, launchSource: LaunchSource | undefined): Group {
    const instances = (group.Instances ?? []).map((instance) => this.toInstance(instance, facts));
    return {
      name: group.AutoScalingGroupName ?? '',
      desired: group.DesiredCapacity ?? 0,
      min: group.MinSize ?? 0,
      max: group.MaxSize ?? 0,
      tags: tagsOf(group.Tags),
      instances,
      suspendedProcesses: (group.SuspendedProcesses ?? []).flatMap((process) => (process.ProcessName === undefined ? [] : [process.ProcessName])),
      // Pending or terminating instances show a scaling activity without a call per group.
      scalingActivityInProgress: instances.some((instance) => instance.lifecycleState !== 'InService' && instance.lifecycleState !== 'Standby'),
      // Known only from scaling activities, which the re-check before a start reads.
      instanceRefreshInProgress: false,
      launchSource,
    };
  }

  private toInstance(instance: AsgInstance, facts: ReadonlyMap<string, Ec2Facts>): Instance {
    const id = instance.InstanceId ?? '';
    const known = facts.get(id);
    return {
      id,
      lifecycleState: lifecycleState(instance.LifecycleState),
      healthy: instance.HealthStatus === 'Healthy',
      launchedAt: known?.launchedAt,
      protectedFromScaleIn: instance.ProtectedFromScaleIn === true,
      tags: known?.tags ?? {},
      launchSource: withImage(instanceSource(instance), new Map(), known?.imageId),
    };
  }

  /** Launch times and tags in batches of 1000 ids; ids EC2 no longer knows are dropped, not fatal. */
  private async ec2Facts(instanceIds: readonly string[]): Promise<Map<string, Ec2Facts>> {
    const facts = new Map<string, Ec2Facts>();
    for (const batch of chunks(instanceIds, INSTANCES_PER_CALL)) {
      for (const instance of await describeExistingInstances(this.options.ec2, batch)) {
        if (instance.InstanceId === undefined) continue;
        facts.set(instance.InstanceId, { launchedAt: instance.LaunchTime?.getTime(), tags: tagsOf(instance.Tags), imageId: instance.ImageId });
      }
    }
    return facts;
  }

  /** Resolves `$Latest`/`$Default` for every template the groups use, in as few calls as the API allows. */
  private async launchTemplates(groups: readonly AutoScalingGroup[]): Promise<Map<string, LaunchTemplate>> {
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const group of groups) {
      const spec = templateSpecOf(group);
      if (spec?.LaunchTemplateId !== undefined) ids.add(spec.LaunchTemplateId);
      else if (spec?.LaunchTemplateName !== undefined) names.add(spec.LaunchTemplateName);
    }
    const templates = new Map<string, LaunchTemplate>();
    const remember = (list: readonly LaunchTemplate[] | undefined) => {
      for (const template of list ?? []) {
        if (template.LaunchTemplateId !== undefined) templates.set(template.LaunchTemplateId, template);
        if (template.LaunchTemplateName !== undefined) templates.set(template.LaunchTemplateName, template);
      }
    };
    for (const batch of chunks([...ids], TEMPLATES_PER_CALL)) {
      remember((await this.options.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: batch }))).LaunchTemplates);
    }
    for (const batch of chunks([...names], TEMPLATES_PER_CALL)) {
      remember((await this.options.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: batch }))).LaunchTemplates);
    }
    return templates;
  }
}

/** What running instances tell of their template version's AMI, by `id:version`. */
function runningImages(groups: readonly AutoScalingGroup[], facts: ReadonlyMap<string, Ec2Facts>): Map<string, string> {
  const images = new Map<string, string>();
  for (const group of groups) {
    for (const instance of group.Instances ?? []) {
      const source = instanceSource(instance);
      const imageId = facts.get(instance.InstanceId ?? '')?.imageId;
      if (source?.kind === 'template' && imageId !== undefined) images.set(`${source.id}:${source.version}`, imageId);
    }
  }
  return images;
}

/** The source with its AMI: the instance's own, or what is known of its template version. */
function withImage(source: LaunchSource | undefined, images: ReadonlyMap<string, string>, own?: string): LaunchSource | undefined {
  if (source === undefined) return undefined;
  const imageId = own ?? (source.kind === 'template' ? images.get(`${source.id}:${source.version}`) : undefined);
  return imageId === undefined ? source : { ...source, imageId };
}

function instanceSource(instance: AsgInstance): LaunchSource | undefined {
  const template = instance.LaunchTemplate;
  if (template?.LaunchTemplateId !== undefined && template.Version !== undefined) {
    const name = template.LaunchTemplateName;
    return { kind: 'template', id: template.LaunchTemplateId, version: template.Version, ...(name === undefined ? {} : { name }) };
  }
  if (instance.LaunchConfigurationName !== undefined) return { kind: 'configuration', name: instance.LaunchConfigurationName };
  return undefined;
}

/** The source new instances get now, with the version resolved; undefined when it cannot be known. */
function currentSource(group: AutoScalingGroup, templates: ReadonlyMap<string, LaunchTemplate>): LaunchSource | undefined {
  if (group.LaunchConfigurationName !== undefined) return { kind: 'configuration', name: group.LaunchConfigurationName };
  const spec = templateSpecOf(group);
  if (spec === undefined) return undefined;
  const template = templates.get(spec.LaunchTemplateId ?? spec.LaunchTemplateName ?? '');
  if (template?.LaunchTemplateId === undefined) return undefined;
  const requested = spec.Version ?? '$Default';
  const version = requested === '$Latest' ? template.LatestVersionNumber : requested === '$Default' ? template.DefaultVersionNumber : Number(requested);
  if (version === undefined || !Number.isInteger(version)) return undefined;
  const name = template.LaunchTemplateName;
  return { kind: 'template', id: template.LaunchTemplateId, version: String(version), ...(name === undefined ? {} : { name }) };
}
