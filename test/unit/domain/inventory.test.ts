import { describe, expect, it } from 'vitest';
import {
  type InventoryItem,
  inventoryLine,
  inventorySummary,
  removedSince,
} from '../../../functions/lib/domain/inventory';

const item = (type: string, id: string, more: Partial<InventoryItem> = {}): InventoryItem => ({
  type,
  id,
  action: 'delete',
  ...more,
});

describe('teardown inventory', () => {
  it('reports as removed only what the second reading no longer finds', () => {
    // Prepare
    const before = [
      item('instance', 'i-1'),
      item('instance', 'i-2'),
      item('VPC', 'vpc-1'),
      item('subnet', 'i-1'),
    ];
    const after = [item('instance', 'i-2', { detail: 'shutting-down' })];
    // Act
    const removed = removedSince(before, after);
    // Assess: matched by type and ID (a subnet named like an instance is its own resource); state ignored
    expect(removed.map((r) => `${r.type} ${r.id}`)).toEqual(['instance i-1', 'VPC vpc-1', 'subnet i-1']);
  });

  it('nothing found before: nothing removed, whatever is found after', () => {
    expect(removedSince([], [item('VPC', 'vpc-9')])).toEqual([]);
  });

  it("one line per item: - deleted, ~ the user's own resource released, with its detail", () => {
    expect(inventoryLine(item('instance', 'i-1', { detail: 'running' }))).toBe('- instance i-1 (running)');
    expect(inventoryLine(item('broker', 'i-9', { action: 'release', detail: 'kept' }))).toBe(
      '~ broker i-9 (kept)',
    );
    expect(inventoryLine(item('VPC', 'vpc-1'))).toBe('- VPC vpc-1');
  });

  it('summarises counts per type in the order found, singular and plural', () => {
    const items = [item('alarm', 'a'), item('VPC', 'v'), item('alarm', 'b')];
    expect(inventorySummary(items)).toBe('2 alarms, 1 VPC');
    expect(inventorySummary([])).toBe('');
  });
});
