import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSelftestEvent } from '../../../../functions/core/selftest/request.js';
import { admitTaintProbe, parseTaintProbeEvent, type TaintProbeRequest } from '../../../../functions/core/selftest/taint-probe.js';

const INSTANCE = 'i-0123456789abcdef0';
const REQUEST: TaintProbeRequest = { action: 'taint-probe', instance: INSTANCE };

describe('parseTaintProbeEvent', () => {
  it('reads a taint probe, which goes to the self-test path like any self-test event', () => {
    const event = { selftest: { action: 'taint-probe', instance: INSTANCE } };
    expect(isSelftestEvent(event)).toBe(true);
    expect(parseTaintProbeEvent(event)).toEqual({ ok: true, request: REQUEST });
  });

  it.each([
    { case: 'not an object', event: 'probe', field: 'event', expected: 'a self-test event such as' },
    { case: 'another key beside it', event: { selftest: { action: 'taint-probe', instance: INSTANCE }, id: 'x' }, field: 'event.id', expected: 'no other key' },
    { case: 'a body that is not an object', event: { selftest: 'taint-probe' }, field: 'event.selftest', expected: 'an object such as' },
    {
      case: "the recycler's field",
      event: { selftest: { action: 'taint-probe', group: 'web' } },
      field: 'event.selftest.group',
      expected: 'only "action" and "instance"',
    },
    {
      case: "the recycler's action",
      event: { selftest: { action: 'recycle', instance: INSTANCE } },
      field: 'event.selftest.action',
      expected: '"taint-probe"',
    },
    { case: 'no action', event: { selftest: { instance: INSTANCE } }, field: 'event.selftest.action', expected: '"taint-probe"' },
    { case: 'no instance', event: { selftest: { action: 'taint-probe' } }, field: 'event.selftest.instance', expected: 'the id of the standalone instance' },
    {
      case: 'a managed node, not an instance',
      event: { selftest: { action: 'taint-probe', instance: 'mi-0123456789abcdef0' } },
      field: 'event.selftest.instance',
      expected: 'the id of the standalone instance',
    },
    {
      case: 'a list of instances',
      event: { selftest: { action: 'taint-probe', instance: [INSTANCE] } },
      field: 'event.selftest.instance',
      expected: 'the id of the standalone instance',
    },
  ])('refuses $case, naming the field', ({ event, field, expected }) => {
    const parsed = parseTaintProbeEvent(event);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problem.field).toBe(field);
      expect(parsed.problem.expected).toContain(expected);
    }
  });
});

describe('admitTaintProbe', () => {
  it('admits a self-test instance outside any group', () => {
    expect(admitTaintProbe(REQUEST, { 'phoenix:selftest': 'true', Name: 'phoenix-selftest-x-probe' })).toEqual({ admitted: true });
  });

  it.each([
    { case: 'an instance EC2 does not know', tags: undefined, says: `no instance ${INSTANCE} in this account and region` },
    { case: 'an instance without the self-test mark', tags: { Name: 'bastion' }, says: 'is not a self-test instance' },
    { case: 'a mark that is not exactly true', tags: { 'phoenix:selftest': 'True' }, says: 'it has phoenix:selftest="True"' },
    {
      case: 'a self-test instance of a group (the subject)',
      tags: { 'phoenix:selftest': 'true', 'aws:autoscaling:groupName': 'phoenix-selftest-x-subject' },
      says: 'belongs to Auto Scaling group phoenix-selftest-x-subject',
    },
  ])('refuses $case, saying why', ({ tags, says }) => {
    const admission = admitTaintProbe(REQUEST, tags);
    expect(admission.admitted).toBe(false);
    if (!admission.admitted) expect(admission.why).toContain(says);
  });

  it('never admits an instance of any group, whatever else it carries', () => {
    const tags = fc.dictionary(fc.oneof(fc.constant('phoenix:selftest'), fc.string()), fc.oneof(fc.constant('true'), fc.string()));
    fc.assert(
      fc.property(tags, fc.string(), (others, group) => {
        expect(admitTaintProbe(REQUEST, { ...others, 'aws:autoscaling:groupName': group }).admitted).toBe(false);
      }),
    );
  });
});
