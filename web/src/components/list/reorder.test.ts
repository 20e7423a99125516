import { describe, expect, it } from 'vitest';
import { appendPage, applyMove, canMove, needsNextPage, putOnTop, replaceItem, restoreAt, slotOf } from './reorder';

const L = (...ids: number[]) => ids.map((id) => ({ id }));
const ids = (list: readonly { id: number }[]) => list.map((p) => p.id);

describe('applyMove', () => {
  const list = L(1, 2, 3, 4);
  it('moves to the top and the bottom of a complete list', () => {
    expect(ids(applyMove(list, 3, 'top', true))).toEqual([3, 1, 2, 4]);
    expect(ids(applyMove(list, 2, 'bottom', true))).toEqual([1, 3, 4, 2]);
  });
  it('swaps with the neighbour on up and down', () => {
    expect(ids(applyMove(list, 3, 'up', true))).toEqual([1, 3, 2, 4]);
    expect(ids(applyMove(list, 2, 'down', true))).toEqual([1, 3, 2, 4]);
  });
  it('returns the same list when nothing changes', () => {
    expect(applyMove(list, 1, 'top', true)).toBe(list);
    expect(applyMove(list, 1, 'up', true)).toBe(list);
    expect(applyMove(list, 4, 'down', true)).toBe(list);
    expect(applyMove(list, 4, 'bottom', true)).toBe(list);
    expect(applyMove(list, 99, 'top', true)).toBe(list);
  });
  it('takes a card moved to the bottom out of a partly loaded list', () => {
    expect(ids(applyMove(list, 2, 'bottom', false))).toEqual([1, 3, 4]);
    expect(ids(applyMove(list, 4, 'bottom', false))).toEqual([1, 2, 3]);
  });
  it('does not mutate its input', () => {
    applyMove(list, 3, 'top', true);
    expect(ids(list)).toEqual([1, 2, 3, 4]);
  });
});

describe('canMove and needsNextPage', () => {
  it('disables up/top on the first card and down/bottom on the last of a complete list', () => {
    expect(canMove(0, 3, 'up', true)).toBe(false);
    expect(canMove(0, 3, 'top', true)).toBe(false);
    expect(canMove(0, 3, 'down', true)).toBe(true);
    expect(canMove(2, 3, 'down', true)).toBe(false);
    expect(canMove(2, 3, 'bottom', true)).toBe(false);
    expect(canMove(2, 3, 'up', true)).toBe(true);
    expect(canMove(0, 1, 'bottom', true)).toBe(false);
  });
  it('keeps down/bottom on the last loaded card while more pages follow', () => {
    expect(canMove(2, 3, 'down', false)).toBe(true);
    expect(canMove(2, 3, 'bottom', false)).toBe(true);
    expect(needsNextPage(2, 3, 'down', false)).toBe(true);
    expect(needsNextPage(1, 3, 'down', false)).toBe(false);
    expect(needsNextPage(2, 3, 'bottom', false)).toBe(false);
    expect(needsNextPage(2, 3, 'down', true)).toBe(false);
  });
});

describe('slotOf and restoreAt', () => {
  it('puts an item back between its old neighbours', () => {
    const list = L(1, 2, 3, 4);
    const slot = slotOf(list, 3)!;
    expect(slot).toEqual({ prevId: 2, nextId: 4, index: 2 });
    const without = list.filter((p) => p.id !== 3);
    // A new palette arrived on top meanwhile: the card still goes back between 2 and 4.
    expect(ids(restoreAt([{ id: 9 }, ...without], { id: 3 }, slot))).toEqual([9, 1, 2, 3, 4]);
  });
  it('puts the first card back on top and the last at the end', () => {
    expect(ids(restoreAt(L(2), { id: 1 }, slotOf(L(1, 2), 1)!))).toEqual([1, 2]);
    expect(ids(restoreAt(L(1), { id: 2 }, slotOf(L(1, 2), 2)!))).toEqual([1, 2]);
  });
  it('falls back to a remaining neighbour, then to the old index (clamped)', () => {
    expect(ids(restoreAt(L(1, 4), { id: 3 }, { prevId: 2, nextId: 4, index: 2 }))).toEqual([1, 3, 4]);
    expect(ids(restoreAt(L(2, 5), { id: 3 }, { prevId: 2, nextId: 4, index: 2 }))).toEqual([2, 3, 5]);
    expect(ids(restoreAt(L(1), { id: 3 }, { prevId: 2, nextId: 4, index: 7 }))).toEqual([1, 3]);
  });
  it('restores two deleted neighbours in place in either undo order', () => {
    const s2 = slotOf(L(1, 2, 3, 4), 2)!; // 2 deleted first
    const s3 = slotOf(L(1, 3, 4), 3)!; // then 3, while 2 was hidden
    const hidden = L(1, 4);
    expect(ids(restoreAt(restoreAt(hidden, { id: 2 }, s2), { id: 3 }, s3))).toEqual([1, 2, 3, 4]);
    expect(ids(restoreAt(restoreAt(hidden, { id: 3 }, s3), { id: 2 }, s2))).toEqual([1, 2, 3, 4]);
  });
  it('is a no-op when the item is back already', () => {
    const list = L(1, 2);
    expect(restoreAt(list, { id: 2 }, { prevId: 1, nextId: null, index: 1 })).toBe(list);
  });
  it('has no slot for an unknown id', () => {
    expect(slotOf(L(1), 5)).toBeNull();
  });
});

describe('appendPage, putOnTop, replaceItem', () => {
  it('appends only ids not loaded or hidden', () => {
    expect(ids(appendPage(L(1, 2), L(2, 3, 4), new Set([4])))).toEqual([1, 2, 3]);
    const list = L(1);
    expect(appendPage(list, L(1))).toBe(list);
  });
  it('puts an item on top once', () => {
    expect(ids(putOnTop(L(1, 2, 3), { id: 3 }))).toEqual([3, 1, 2]);
    expect(ids(putOnTop(L(1), { id: 5 }))).toEqual([5, 1]);
  });
  it('replaces an item by id', () => {
    const out = replaceItem([{ id: 1, n: 'a' }, { id: 2, n: 'b' }], { id: 2, n: 'c' });
    expect(out).toEqual([{ id: 1, n: 'a' }, { id: 2, n: 'c' }]);
  });
});
