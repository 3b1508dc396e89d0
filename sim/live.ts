import type { GroupPolicy } from '../functions/core/policy/policy.js';
import { TAG } from '../functions/core/policy/policy.js';
import { parseGroupPolicy } from '../functions/core/policy/tags.js';

/** The policy of a group Phoenix acts on: `phoenix:enabled=true` and tags that parse; undefined for any other group. */
export function livePolicy(tags: Readonly<Record<string, string>>): GroupPolicy | undefined {
  if (tags[TAG.enabled] !== 'true') return undefined;
  const parsed = parseGroupPolicy(tags);
  return parsed.ok && parsed.policy.mode === 'live' ? parsed.policy : undefined;
}
