import type { Finding, GroupReport, OwnerSection } from './schema.js';

/** Most in need of a person first: failures, then quarantines, then instances past max-age, then other findings; then by name. */
function byAttention(a: OwnerSection, b: OwnerSection): number {
  return (
    b.failures - a.failures ||
    b.quarantined - a.quarantined ||
    b.overdue - a.overdue ||
    b.findings - a.findings ||
    (a.owner ?? '\uffff').localeCompare(b.owner ?? '\uffff')
  );
}

/** The report's groups by owner, each owner's figures summed; groups without an owner together under null, last among equals. */
export function ownerSections(groups: readonly GroupReport[], findings: readonly Finding[]): OwnerSection[] {
  const sections = new Map<string | null, OwnerSection>();
  const findingsOf = new Map<string, number>();
  for (const finding of findings) findingsOf.set(finding.group, (findingsOf.get(finding.group) ?? 0) + 1);
  for (const group of groups) {
    const section = sections.get(group.owner) ?? { owner: group.owner, groups: [], recycled: 0, failures: 0, quarantined: 0, overdue: 0, findings: 0 };
    const overdue = group.maxAgeSeconds !== null && group.oldest !== null && group.oldest.ageSeconds > group.maxAgeSeconds;
    sections.set(group.owner, {
      ...section,
      groups: [...section.groups, group.group],
      recycled: section.recycled + group.recycledTotal,
      failures: section.failures + group.failures,
      quarantined: section.quarantined + (group.quarantine === null ? 0 : 1),
      overdue: section.overdue + (overdue ? 1 : 0),
      findings: section.findings + (findingsOf.get(group.group) ?? 0),
    });
  }
  return [...sections.values()].sort(byAttention);
}
