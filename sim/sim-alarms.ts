import type { AlarmsPort } from '../functions/core/ports.js';

export type AlarmState = 'ALARM' | 'OK';

/** The stop alarms in memory: a scenario sets each one's state, the recycler reads which are in ALARM. */
export class SimAlarms implements AlarmsPort {
  private readonly states = new Map<string, AlarmState>();

  set(name: string, state: AlarmState): void {
    this.states.set(name, state);
  }

  async alarmsInAlarm(names: readonly string[]): Promise<string[]> {
    await Promise.resolve();
    return names.filter((name) => this.states.get(name) === 'ALARM');
  }
}
