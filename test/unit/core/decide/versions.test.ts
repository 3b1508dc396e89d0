import { describe, expect, it } from 'vitest';
import type { VersionBlock, VersionFailure, VersionHealth } from '../../../../functions/core/decide/versions.js';
import { DEFAULT_BREAKER, launchBlocked, launchKeys, recordBlocked, tripReason } from '../../../../functions/core/decide/versions.js';
import type { LaunchSource } from '../../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../../functions/core/model.js';
import { NOW, record } from '../../../support/fleet.js';

const V7: LaunchSource = { kind: 'template', id: 'lt-0abc', version: '7', imageId: 'ami-bad' };
const block = (key: string): VersionBlock => ({ key, blockedAt: NOW - HOUR, why: '2 failed recoveries (api, web) within 1d', trippedBy: 'web#1' });

function failure(group: string, at: number, canary = false): VersionFailure {
  return { group, at, recordId: `${group}#${at}`, canary };
}

function health(failures: VersionFailure[], releasedAt?: number): VersionHealth {
  return { key: 'lt-0abc:7', failures, block: undefined, releasedAt };
}

describe('launchKeys', () => {
  it('names a template version, a launch configuration and the AMI when known', () => {
    expect(launchKeys(V7)).toEqual(['lt-0abc:7', 'ami-bad']);
    expect(launchKeys({ kind: 'template', id: 'lt-0abc', version: '7' })).toEqual(['lt-0abc:7']);
    expect(launchKeys({ kind: 'configuration', name: 'web-2024', imageId: 'ami-1' })).toEqual(['lc:web-2024', 'ami-1']);
    expect(launchKeys(undefined)).toEqual([]);
  });
});

describe('tripReason', () => {
  it.each([
    { case: 'one group failing twice is not K groups', failures: [failure('web', NOW - HOUR), failure('web', NOW)], blocks: false },
    { case: 'two groups within the period', failures: [failure('web', NOW - HOUR), failure('api', NOW)], blocks: true },
    { case: 'two groups, one outside the period', failures: [failure('web', NOW - DAY - MINUTE), failure('api', NOW)], blocks: false },
    { case: 'a canary alone', failures: [failure('web', NOW, true)], blocks: true },
  ])('$case', ({ failures, blocks }) => {
    expect(tripReason(health(failures), DEFAULT_BREAKER, NOW) !== undefined).toBe(blocks);
  });

  it('says what tripped it', () => {
    expect(tripReason(health([failure('web', NOW - HOUR), failure('api', NOW)]), DEFAULT_BREAKER, NOW)).toBe('2 failed recoveries (api, web) within 1d');
    expect(tripReason(health([failure('web', NOW, true)]), DEFAULT_BREAKER, NOW)).toBe('its canary replacement in web failed to recover');
  });

  it('a release forgives the failures before it, never those after', () => {
    const failures = [failure('web', NOW - 2 * HOUR), failure('api', NOW - HOUR)];
    expect(tripReason(health(failures, NOW - 30 * MINUTE), DEFAULT_BREAKER, NOW)).toBeUndefined();
    expect(tripReason(health([...failures, failure('db', NOW)], NOW - 90 * MINUTE), DEFAULT_BREAKER, NOW)).toBe('2 failed recoveries (api, db) within 1d');
  });

  it('K is the deploy parameter', () => {
    const failures = [failure('web', NOW - HOUR), failure('api', NOW)];
    expect(tripReason(health(failures), { ...DEFAULT_BREAKER, failuresToBlock: 3 }, NOW)).toBeUndefined();
  });
});

describe('launchBlocked', () => {
  it('blocks a launch by its template version or by its AMI', () => {
    expect(launchBlocked(V7, [block('lt-0abc:7')])).toBe('version lt-0abc:7 blocked after 2 failed recoveries (api, web) within 1d');
    expect(launchBlocked({ kind: 'template', id: 'lt-other', version: '1', imageId: 'ami-bad' }, [block('ami-bad')])).toContain('version ami-bad blocked');
  });

  it('lets another version of the same template through', () => {
    expect(launchBlocked({ ...V7, version: '8', imageId: 'ami-good' }, [block('lt-0abc:7'), block('ami-bad')])).toBeUndefined();
  });

  it('cannot clear a launch whose AMI is unknown while an AMI is blocked, or whose source is unknown while anything is', () => {
    expect(launchBlocked({ kind: 'template', id: 'lt-other', version: '1' }, [block('ami-bad')])).toBe(
      'the AMI lt-other:1 launches is unknown while ami-bad is blocked',
    );
    expect(launchBlocked({ kind: 'template', id: 'lt-other', version: '1' }, [block('lt-0abc:7')])).toBeUndefined();
    expect(launchBlocked(undefined, [block('lt-0abc:7')])).toBe('its launch source is unknown while lt-0abc:7 is blocked');
    expect(launchBlocked(undefined, [])).toBeUndefined();
  });
});

describe('recordBlocked', () => {
  it('is what the replacement launched, not what the group launches now', () => {
    expect(recordBlocked(record({ launches: V7 }), [block('ami-bad')])).toContain('ami-bad');
    expect(recordBlocked(record({ launches: { ...V7, version: '6', imageId: 'ami-good' } }), [block('lt-0abc:7')])).toBeUndefined();
    expect(recordBlocked(record({}), [block('lt-0abc:7')])).toBeUndefined();
  });
});
