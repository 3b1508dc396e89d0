import type { NoticeInput, ScheduledRecycle } from '../core/deadline/notice.js';
import { scheduledRecycles } from '../core/deadline/notice.js';
import type { PhoenixEvent } from '../core/events.js';
import type { Millis } from '../core/model.js';
import type { EventsPort, LedgerPort, Logger } from '../core/ports.js';
import { errorText } from './errors.js';
import type { OutboxFailure } from './outbox.js';

export function recycleScheduledEvent(notice: ScheduledRecycle, now: Millis, owner: string | null): PhoenixEvent {
  return {
    detailType: 'Recycle Scheduled',
    time: new Date(now).toISOString(),
    detail: { group: notice.group, instanceId: notice.instanceId, rule: notice.rule, earliestAt: new Date(notice.at).toISOString(), owner },
  };
}

export interface NoticeOptions {
  /** The group tag naming a group's owner, which each notice carries. */
  readonly ownerTagKey: string;
  /** When the tick's schedule fired, which every delivery of its event shares; undefined claims nothing. */
  readonly scheduledAt: Millis | undefined;
}

/**
 * Whether this delivery of the tick's schedule event is the one to announce. A claim that cannot be
 * written announces anyway: a notice sent twice is better than one never sent.
 */
async function firstDelivery(deps: { readonly ledger: LedgerPort; readonly logger: Logger }, scheduledAt: Millis, count: number): Promise<boolean> {
  const fields = { scheduledAt: new Date(scheduledAt).toISOString(), count };
  try {
    if ((await deps.ledger.claimNotices(scheduledAt)) === 'claimed') return true;
  } catch (error) {
    deps.logger.warn('could not claim the advance notices: announcing them, perhaps twice', { ...fields, error: errorText(error) });
    return true;
  }
  deps.logger.info('advance notices already announced by another delivery of this tick', fields);
  return false;
}

/**
 * Publishes this tick's advance notices, from what the tick already read: no AWS call but the claim
 * (only when there is something to announce) and the publish. A notice announces, it changes nothing,
 * so it rides in no ledger record: one that fails to go out is reported as the run's failure and not
 * sent again (the next tick's horizon has moved on).
 */
export async function announce(
  deps: { readonly events: EventsPort; readonly ledger: LedgerPort; readonly logger: Logger },
  input: NoticeInput,
  options: NoticeOptions,
): Promise<OutboxFailure[]> {
  const notices = scheduledRecycles(input);
  if (notices.length === 0) return [];
  if (options.scheduledAt !== undefined && !(await firstDelivery(deps, options.scheduledAt, notices.length))) return [];
  const { ownerTagKey } = options;
  const owners = new Map(input.groups.map((group) => [group.name, group.tags[ownerTagKey] ?? null]));
  try {
    await deps.events.publish(notices.map((notice) => recycleScheduledEvent(notice, input.now, owners.get(notice.group) ?? null)));
  } catch (error) {
    deps.logger.error('could not publish advance notices', { count: notices.length, error: errorText(error) });
    return [...new Set(notices.map((notice) => notice.group))].map((group) => ({ group, why: 'could not publish its advance notice', cause: error }));
  }
  for (const notice of notices)
    deps.logger.info('recycle scheduled', {
      group: notice.group,
      instance: notice.instanceId,
      rule: notice.rule,
      earliestAt: new Date(notice.at).toISOString(),
    });
  return [];
}
