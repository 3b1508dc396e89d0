import { describe, expect, it } from 'vitest';
import type { Millis } from '../../functions/core/model.js';
import { HOUR, MINUTE } from '../../functions/core/model.js';
import { isWindowOpen, parseWindow } from '../../functions/core/policy/window.js';
import type { ScriptEvent } from '../../sim/script.js';
import { SimSettings } from '../../sim/sim-settings.js';
import { TouchLog } from '../../sim/touches.js';
import { closingWindow, World } from '../../sim/world.js';
import { SIM_START_NOON } from '../support/clock.js';
import { OPTED_IN } from '../support/fleet.js';
import { fleetOf, SECOND, spec } from '../support/sim-fleet.js';

describe('closingWindow', () => {
  it.each([
    { case: 'at noon', at: SIM_START_NOON },
    { case: 'a few seconds before midnight', at: Date.UTC(2026, 10, 16, 23, 59, 50) },
    { case: 'closing at midnight', at: Date.UTC(2026, 10, 16, 23, 57, 30) },
  ])('$case: open now, closed from two minutes on for the time asked, then open again', ({ at }) => {
    const parsed = parseWindow(closingWindow(at, 3 * HOUR));
    if (!parsed.ok) throw new Error(parsed.expected);
    expect(isWindowOpen(parsed.window, at)).toBe(true);
    expect(isWindowOpen(parsed.window, at + 3 * MINUTE)).toBe(false);
    expect(isWindowOpen(parsed.window, at + 3 * MINUTE + 3 * HOUR)).toBe(true);
  });
});

describe('World', () => {
  const API_TAGS = { ...OPTED_IN, 'phoenix:budget': '2/hour' };
  const SPECS = [spec(), spec({ name: 'api', tags: API_TAGS })];

  function worldOf(events: readonly ScriptEvent[]) {
    const fleet = fleetOf(SPECS);
    const mode = new SimSettings('live', (changed) => fleet.accountModeChanged(changed));
    return { fleet, mode, world: new World(fleet, new TouchLog(), mode, SPECS, events) };
  }
  function play(world: World, fleet: ReturnType<typeof fleetOf>, until: Millis): void {
    for (let at = world.nextAt(); at !== undefined && at <= until; at = world.nextAt()) {
      fleet.advanceTo(at);
      world.applyNext();
    }
  }

  it('aims a tag change at a group with a surge in flight, and puts back the value the group started with', async () => {
    const { fleet, world } = worldOf([
      { at: SIM_START_NOON + MINUTE, kind: 'set-tag', group: 'api', key: 'phoenix:budget', value: '1/week' },
      { at: SIM_START_NOON + 2 * MINUTE, kind: 'set-tag', group: { surging: 0.9 }, key: 'phoenix:budget', value: '1/day', lasts: HOUR },
    ]);
    await fleet.setDesiredCapacity('api', 5);
    play(world, fleet, SIM_START_NOON + 2 * MINUTE);
    expect(fleet.view('api').tags['phoenix:budget']).toBe('1/day');
    expect(world.nextAt()).toBe(SIM_START_NOON + 2 * MINUTE + HOUR);
    play(world, fleet, SIM_START_NOON + 2 * HOUR);
    expect(fleet.view('api').tags['phoenix:budget']).toBe('2/hour');
    expect(fleet.view('web').tags['phoenix:budget']).toBeUndefined();
  });

  it.each<{ case: string; event: ScriptEvent }>([
    {
      case: 'a tag change',
      event: { at: SIM_START_NOON + SECOND, kind: 'set-tag', group: { surging: 0.5 }, key: 'phoenix:enabled', value: 'false', lasts: HOUR },
    },
    { case: 'a closing window', event: { at: SIM_START_NOON + SECOND, kind: 'close-window', pick: 0.5, closedFor: HOUR } },
  ])('changes nothing with $case aimed at a surge when none is in flight', ({ event }) => {
    const { fleet, world } = worldOf([event]);
    play(world, fleet, SIM_START_NOON + 2 * HOUR);
    expect([fleet.view('web').tags, fleet.view('api').tags]).toEqual([spec().tags, API_TAGS]);
    expect(world.nextAt()).toBeUndefined();
  });

  it('switches the account mode and lifts every quarantine', async () => {
    const { fleet, mode, world } = worldOf([
      { at: SIM_START_NOON + MINUTE, kind: 'set-mode', mode: 'off' },
      { at: SIM_START_NOON + 2 * MINUTE, kind: 'release-quarantines' },
    ]);
    await fleet.tagGroup('web', { 'phoenix:quarantined': 'recovery failed' });
    play(world, fleet, SIM_START_NOON + HOUR);
    expect(await mode.globalMode()).toBe('off');
    expect(fleet.view('web').tags['phoenix:quarantined']).toBeUndefined();
  });
});
