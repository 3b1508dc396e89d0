import { errorText } from '../functions/app/errors.js';
import { runTaintProbe, TaintProbeRefusedError } from '../functions/app/taint-probe.js';
import type { Millis } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { Logger, TaintProbePort } from '../functions/core/ports.js';
import { AUTO_SCALING_GROUP_TAG } from '../functions/core/selftest/taint-probe.js';
import type { SimFleet } from './fleet.js';
import type { TaintProbeTarget } from './script.js';
import type { TaintProbeFigures, TickFailure } from './summary.js';

class FleetInstances implements TaintProbePort {
  constructor(
    private readonly fleet: SimFleet,
    private readonly groups: readonly string[],
    private readonly written: { at: Millis; instanceId: string }[],
  ) {}

  private find(instanceId: string) {
    for (const group of this.groups) {
      const instance = this.fleet.view(group).instances.find((each) => each.id === instanceId);
      if (instance !== undefined) return { group, instance };
    }
    return undefined;
  }

  async instanceTags(instanceId: string): Promise<Readonly<Record<string, string>> | undefined> {
    const found = this.find(instanceId);
    return found === undefined ? undefined : { ...found.instance.tags, [AUTO_SCALING_GROUP_TAG]: found.group };
  }

  async tagTainted(instanceIds: readonly string[], value: string): Promise<readonly string[]> {
    const tagged = instanceIds.filter((id) => this.find(id) !== undefined);
    for (const instanceId of tagged) {
      this.fleet.setInstanceTag(instanceId, TAG.tainted, value);
      this.written.push({ at: this.fleet.now(), instanceId });
    }
    return tagged;
  }
}

/**
 * `phoenix selftest`'s taint probe aimed at the fleet's instances, each played through the tainter's own
 * probe path and counted by how it ended: that path reads an instance as EC2 shows it (every instance of
 * a group carries Auto Scaling's group tag) and, if it ever wrote, the write would land on the fleet's
 * instance, where this log sees it.
 */
export class TaintProbes {
  private runs = 0;
  private refused = 0;
  private readonly failures: TickFailure[] = [];
  private readonly written: { at: Millis; instanceId: string }[] = [];
  private readonly instances: FleetInstances;

  constructor(
    private readonly fleet: SimFleet,
    groups: readonly string[],
    private readonly logger: Logger,
  ) {
    this.instances = new FleetInstances(fleet, groups, this.written);
  }

  async play(target: TaintProbeTarget): Promise<void> {
    const instances = this.fleet.view(target.group).instances;
    const instance = instances[Math.floor(target.pick * instances.length)];
    if (instance === undefined) return;
    if (target.marked) this.fleet.setInstanceTag(instance.id, TAG.selftest, 'true');
    this.runs += 1;
    const clock = this.fleet.now();
    try {
      await runTaintProbe({ instances: this.instances, logger: this.logger, now: () => clock }, { selftest: { action: 'taint-probe', instance: instance.id } });
    } catch (error) {
      if (error instanceof TaintProbeRefusedError) this.refused += 1;
      else this.failures.push({ at: clock, error: errorText(error) });
    }
  }

  figures(): TaintProbeFigures {
    return { runs: this.runs, refused: this.refused, failures: this.failures, written: this.written };
  }
}
