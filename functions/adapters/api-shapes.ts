/** API limits: DescribeAutoScalingGroups takes 100 names a page, DescribeInstances 1000 ids a call. */
export const GROUPS_PER_CALL = 100;
export const INSTANCES_PER_CALL = 1000;

export function chunks<Item>(items: readonly Item[], size: number): Item[][] {
  const result: Item[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Auto Scaling's and EC2's tag lists as one record; a tag without a key is dropped. */
export function tagsOf(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) result[tag.Key] = tag.Value ?? '';
  return result;
}
