import { describe, expect, it } from 'vitest';
import { UNDO_MS, due, enqueue, nextDelay, pendingIds, take } from './undo';

const slot = { prevId: null, nextId: null, index: 0 };
const a = { id: 1, name: 'Sunset' };
const b = { id: 2, name: 'Forest' };

describe('undo queue', () => {
  it('sends nothing before the deadline and the delete once it has passed', () => {
    const q = enqueue([], a, slot, 1000);
    expect(due(q, 1000 + UNDO_MS - 1)[0]).toHaveLength(0);
    const [ready, rest] = due(q, 1000 + UNDO_MS);
    expect(ready.map((e) => e.item)).toEqual([a]);
    expect(rest).toHaveLength(0);
  });
  it('undo takes the entry out, so it is never sent', () => {
    let q = enqueue([], a, slot, 0);
    q = enqueue(q, b, slot, 10);
    const [entry, rest] = take(q, 1);
    expect(entry?.item).toBe(a);
    expect(due(rest, 1e12)[0].map((e) => e.item.id)).toEqual([2]);
    expect(take(rest, 1)[0]).toBeNull();
  });
  it('keeps one entry per id and the deadlines of each', () => {
    let q = enqueue([], a, slot, 0);
    q = enqueue(q, b, slot, 2000);
    q = enqueue(q, a, slot, 3000); // deleted again after an undo
    expect(q.map((e) => e.item.id)).toEqual([2, 1]);
    expect(nextDelay(q, 2500)).toBe(2000 + UNDO_MS - 2500);
    const [ready, rest] = due(q, 2000 + UNDO_MS);
    expect(ready.map((e) => e.item.id)).toEqual([2]);
    expect(rest.map((e) => e.item.id)).toEqual([1]);
  });
  it('reports no delay for an empty queue and 0 for an overdue one', () => {
    expect(nextDelay([], 0)).toBeNull();
    expect(nextDelay(enqueue([], a, slot, 0), UNDO_MS * 2)).toBe(0);
  });
  it('lists the pending ids', () => {
    expect([...pendingIds(enqueue(enqueue([], a, slot, 0), b, slot, 0))].sort()).toEqual([1, 2]);
  });
});
