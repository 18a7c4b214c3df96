/**
 * What teardown finds tagged for a cluster, and what a teardown removed (pure): the list read before it ran
 * minus the list read after, so the report names only what is really gone.
 */

export interface InventoryItem {
  /** Resource type in words: "instance", "load balancer", "parameter", … */
  type: string;
  id: string;
  /** `delete`: teardown deletes it; `release`: the user's own resource, kafka-plc's tags and groups taken off. */
  action: 'delete' | 'release';
  /** State or note (an instance's `running`, a group's VPC). */
  detail?: string;
}

const key = (item: InventoryItem) => `${item.type}|${item.id}`;

export function inventoryLine(item: InventoryItem): string {
  return `${item.action === 'release' ? '~' : '-'} ${item.type} ${item.id}${item.detail ? ` (${item.detail})` : ''}`;
}

/** The items of `before` that `after` no longer has (released items count once their mark is gone). */
export function removedSince(
  before: readonly InventoryItem[],
  after: readonly InventoryItem[],
): InventoryItem[] {
  const left = new Set(after.map(key));
  return before.filter((item) => !left.has(key(item)));
}

/** The inventory as a count per type, for one summary line ("3 instance, 1 VPC, …" in the order found). */
export function inventorySummary(items: readonly InventoryItem[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
  return [...counts].map(([type, count]) => `${count} ${type}${count === 1 ? '' : 's'}`).join(', ');
}
