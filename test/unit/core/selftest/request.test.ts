import { describe, expect, it } from 'vitest';
import type { Group } from '../../../../functions/core/model.js';
import { admitSelftest, isSelftestEvent, parseSelftestEvent, type SelftestRequest } from '../../../../functions/core/selftest/request.js';
import { group } from '../../../support/fleet.js';

const SELFTEST = { 'phoenix:selftest': 'true' } as const;
const subject: Group = group({ name: 'subject', size: 1, tags: { 'phoenix:enabled': 'true', ...SELFTEST } });
const decoy: Group = group({ name: 'decoy', size: 1, tags: { ...SELFTEST } });

describe('isSelftestEvent', () => {
  it.each([
    { case: 'a self-test event', event: { selftest: { action: 'recycle', group: 'g' } }, expected: true },
    { case: 'a malformed one still goes to the self-test path, which names what is wrong', event: { selftest: 'yes' }, expected: true },
    { case: 'a scheduled event', event: { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-23T12:00:00Z' }, expected: false },
    { case: 'an inherited key does not count', event: Object.create({ selftest: {} }) as object, expected: false },
    { case: 'null', event: null, expected: false },
  ])('$case', ({ event, expected }) => {
    expect(isSelftestEvent(event)).toBe(expected);
  });
});

describe('parseSelftestEvent', () => {
  it.each(['recycle', 'iam-probe'] as const)('reads a %s request', (action) => {
    expect(parseSelftestEvent({ selftest: { action, group: 'subject' } })).toEqual({ ok: true, request: { action, group: 'subject' } });
  });

  it.each([
    { case: 'another key beside it', event: { selftest: { action: 'recycle', group: 'g' }, time: 'now' }, field: 'event.time', expected: 'no other key' },
    { case: 'not an object', event: { selftest: 'recycle' }, field: 'event.selftest', expected: 'an object such as' },
    { case: 'an array', event: { selftest: [] }, field: 'event.selftest', expected: 'an object such as' },
    { case: 'an unknown field', event: { selftest: { action: 'recycle', group: 'g', force: true } }, field: 'event.selftest.force', expected: 'only' },
    {
      case: 'an unknown action',
      event: { selftest: { action: 'terminate', group: 'g' } },
      field: 'event.selftest.action',
      expected: 'one of recycle, iam-probe',
    },
    { case: 'no action', event: { selftest: { group: 'g' } }, field: 'event.selftest.action', expected: 'one of recycle, iam-probe' },
    { case: 'no group', event: { selftest: { action: 'recycle' } }, field: 'event.selftest.group', expected: 'the exact name' },
    { case: 'a padded group name', event: { selftest: { action: 'recycle', group: 'g ' } }, field: 'event.selftest.group', expected: 'the exact name' },
    { case: 'a group that is not text', event: { selftest: { action: 'recycle', group: 7 } }, field: 'event.selftest.group', expected: 'the exact name' },
  ])('refuses $case, naming the field', ({ event, field, expected }) => {
    const parsed = parseSelftestEvent(event);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problem.field).toBe(field);
      expect(parsed.problem.expected).toContain(expected);
    }
  });
});

describe('admitSelftest: which group a self-test may touch', () => {
  const recycle = (name: string): SelftestRequest => ({ action: 'recycle', group: name });
  const probe = (name: string): SelftestRequest => ({ action: 'iam-probe', group: name });

  it.each<{ case: string; request: SelftestRequest; group: Group | undefined; says: RegExp | undefined }>([
    { case: 'recycle of an opted-in self-test group: admitted', request: recycle('subject'), group: subject, says: undefined },
    {
      case: 'recycle of a self-test group in dry-run: admitted, its gates then decide dry-run',
      request: recycle('subject'),
      group: group({ name: 'subject', tags: { 'phoenix:enabled': 'dry-run', ...SELFTEST } }),
      says: undefined,
    },
    { case: 'probe of a self-test group without phoenix:enabled: admitted', request: probe('decoy'), group: decoy, says: undefined },
    { case: 'a group that does not exist', request: recycle('gone'), group: undefined, says: /^no Auto Scaling group named "gone"/ },
    {
      case: 'recycle of an opted-in group that is no self-test group',
      request: recycle('web'),
      group: group({ name: 'web' }),
      says: /^group web is not a self-test group: .*phoenix:selftest=true.* \(it has no such tag\)$/,
    },
    {
      case: 'recycle of a group marked with another value',
      request: recycle('web'),
      group: group({ name: 'web', tags: { 'phoenix:enabled': 'true', 'phoenix:selftest': 'yes' } }),
      says: /it has phoenix:selftest="yes"/,
    },
    {
      case: 'probe of a production group that is not opted in',
      request: probe('payments'),
      group: group({ name: 'payments', tags: {} }),
      says: /^group payments is not a self-test group/,
    },
    { case: 'recycle of the decoy (not opted in)', request: recycle('decoy'), group: decoy, says: /^group decoy is not opted in \(no phoenix:enabled tag\)/ },
    {
      case: 'probe of the opted-in self-test group (IAM would rightly allow it)',
      request: probe('subject'),
      group: subject,
      says: /^group subject has phoenix:enabled="true": an IAM probe is made only on a group without that tag/,
    },
    {
      case: 'probe of a self-test group braked with phoenix:enabled=false (IAM allows capacity calls there)',
      request: probe('decoy'),
      group: group({ name: 'decoy', tags: { 'phoenix:enabled': 'false', ...SELFTEST } }),
      says: /has phoenix:enabled="false"/,
    },
  ])('$case', ({ request, group: found, says }) => {
    const admission = admitSelftest(request, found);
    if (says === undefined) expect(admission).toEqual({ admitted: true, group: found });
    else {
      expect(admission.admitted).toBe(false);
      if (!admission.admitted) expect(admission.why).toMatch(says);
    }
  });
});
