import type { GlobalMode, Millis } from '../model.js';
import { DAY } from '../model.js';

/** A freeze: no terminations anywhere from `from` (inclusive) to `to` (exclusive), UTC days. */
export interface Blackout {
  readonly from: Millis;
  readonly to: Millis;
  readonly text: string;
}

/** Each global mode once; a Record, so the compiler refuses a mode of GlobalMode missing here. */
const MODES: Record<GlobalMode, true> = { live: true, 'dry-run': true, off: true };

/** Every global mode, in the order messages list them: the deploy parameter, the SSM parameter and the config parser all accept exactly these. */
export const GLOBAL_MODES: readonly GlobalMode[] = Object.freeze(Object.keys(MODES) as GlobalMode[]);

/** The mode a text names exactly, if any. */
export function parseGlobalMode(text: string | undefined): GlobalMode | undefined {
  return GLOBAL_MODES.find((mode) => mode === text);
}

export type GlobalBlockReason = 'mode-off' | 'blackout' | 'stop-alarm';

export interface GlobalBlock {
  readonly reason: GlobalBlockReason;
  readonly why: string;
  /**
   * True when the account's own switch says stop (mode off): replacements in flight are taken back.
   * A freeze, an alarm or a mode that could not be read only hold them until their deadline.
   */
  readonly brake: boolean;
}

export interface GlobalGateInput {
  readonly mode: GlobalMode;
  readonly now: Millis;
  readonly blackouts: readonly Blackout[];
  readonly alarmsInAlarm: readonly string[];
}

/** The account-wide gates of a tick, in the order an operator would look: kill switch, freeze, alarms. */
export function globalBlock(input: GlobalGateInput): GlobalBlock | undefined {
  if (input.mode === 'off') return { reason: 'mode-off', why: 'not terminating: global mode is off', brake: true };
  const freeze = input.blackouts.find((blackout) => input.now >= blackout.from && input.now < blackout.to);
  if (freeze !== undefined) return { reason: 'blackout', why: `not terminating: blackout ${freeze.text}`, brake: false };
  if (input.alarmsInAlarm.length > 0) {
    return { reason: 'stop-alarm', why: `not terminating: stop alarm in ALARM: ${input.alarmsInAlarm.join(', ')}`, brake: false };
  }
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcDay(text: string): Millis | undefined {
  const match = DATE.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const check = new Date(at);
  // Date.UTC rolls 2026-02-30 over to March: reject instead of freezing the wrong day.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return at;
}

export type BlackoutsResult =
  | { readonly ok: true; readonly blackouts: readonly Blackout[] }
  | { readonly ok: false; readonly entry: string; readonly expected: string };

/** `2026-12-24,2026-12-28..2027-01-01`: single UTC days or inclusive ranges, comma-separated; empty is none. */
export function parseBlackouts(text: string): BlackoutsResult {
  const expected = 'comma-separated UTC dates YYYY-MM-DD or inclusive ranges YYYY-MM-DD..YYYY-MM-DD';
  const blackouts: Blackout[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [first, last, extra] = entry.split('..');
    const from = utcDay(first ?? '');
    const to = last === undefined ? from : utcDay(last);
    if (from === undefined || to === undefined || extra !== undefined || to < from) return { ok: false, entry, expected };
    blackouts.push({ from, to: to + DAY, text: entry });
  }
  return { ok: true, blackouts };
}
