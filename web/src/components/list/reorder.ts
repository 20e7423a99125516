// List helpers for the optimistic updates of the palette list: what a move does to the loaded
// part of the list, and putting a card back where it was. Pure; see reorder.test.ts.

export type MoveTo = 'top' | 'up' | 'down' | 'bottom';

interface HasId {
  id: number;
}

/**
 * `list` after moving the item `id` as the server's POST .../move would. `complete` says whether
 * `list` is the whole list: when more pages follow, "bottom" takes the item out of the loaded
 * part (the server puts it after every palette, so it comes back with the last page). Returns
 * `list` itself when the move changes nothing (unknown id, the top moved up, ...).
 */
export function applyMove<T extends HasId>(list: readonly T[], id: number, to: MoveTo, complete: boolean): readonly T[] {
  const at = list.findIndex((p) => p.id === id);
  if (at < 0) return list;
  const out = list.slice();
  const [item] = out.splice(at, 1);
  switch (to) {
    case 'top':
      if (at === 0) return list;
      out.unshift(item);
      return out;
    case 'bottom':
      if (!complete) return out;
      if (at === list.length - 1) return list;
      out.push(item);
      return out;
    case 'up':
      if (at === 0) return list;
      out.splice(at - 1, 0, item);
      return out;
    case 'down':
      // The last loaded item of an incomplete list: its lower neighbour is not loaded yet, so the
      // caller loads the next page first (canMoveNow) and this case does not arise.
      if (at === list.length - 1) return list;
      out.splice(at + 1, 0, item);
      return out;
  }
}

/** Whether the move would change the order (drives the disabled state of the buttons). */
export function canMove(index: number, length: number, to: MoveTo, complete: boolean): boolean {
  if (index < 0 || index >= length) return false;
  if (to === 'top' || to === 'up') return index > 0;
  if (!complete) return true; // there is always something below in the pages not loaded yet
  return index < length - 1;
}

/**
 * "down" on the last loaded item while more pages follow: the neighbour it swaps with is not
 * loaded, and the swap would also move that neighbour above the page cursor (so the next page
 * would skip it). The caller loads the next page first.
 */
export function needsNextPage(index: number, length: number, to: MoveTo, complete: boolean): boolean {
  return to === 'down' && !complete && index === length - 1;
}

/** Where a removed item stood: the ids above and below it (null at the ends) and its index. */
export interface Slot {
  prevId: number | null;
  nextId: number | null;
  index: number;
}

export function slotOf<T extends HasId>(list: readonly T[], id: number): Slot | null {
  const index = list.findIndex((p) => p.id === id);
  if (index < 0) return null;
  return {
    prevId: index > 0 ? list[index - 1].id : null,
    nextId: index < list.length - 1 ? list[index + 1].id : null,
    index,
  };
}

/**
 * Puts `item` back where it stood, so an undo restores a card in place even when the list
 * changed in between (another undo, an upload on top): between its old neighbours when they are
 * still adjacent, else before its old lower neighbour, else after its old upper one, else at its
 * old index (clamped). No-op when `item` is already in the list.
 */
export function restoreAt<T extends HasId>(list: readonly T[], item: T, slot: Slot): readonly T[] {
  if (list.some((p) => p.id === item.id)) return list;
  const find = (id: number | null) => (id === null ? -1 : list.findIndex((p) => p.id === id));
  const prev = slot.prevId === null ? -1 : find(slot.prevId);
  const next = slot.nextId === null ? -1 : find(slot.nextId);
  let at: number;
  if (slot.prevId === null && (slot.nextId === null || next === 0)) at = 0;
  else if (prev >= 0 && (slot.nextId === null ? prev === list.length - 1 : next === prev + 1)) at = prev + 1;
  else if (next >= 0) at = next;
  else if (prev >= 0) at = prev + 1;
  else at = Math.min(Math.max(slot.index, 0), list.length);
  const out = list.slice();
  out.splice(at, 0, item);
  return out;
}

/** `page` appended to `list`, leaving out ids already loaded (pages can overlap after moves). */
export function appendPage<T extends HasId>(list: readonly T[], page: readonly T[], hidden: ReadonlySet<number> = new Set()): readonly T[] {
  const seen = new Set(list.map((p) => p.id));
  const fresh = page.filter((p) => !seen.has(p.id) && !hidden.has(p.id));
  return fresh.length === 0 ? list : [...list, ...fresh];
}

/** `item` on top, replacing an older copy of it. */
export function putOnTop<T extends HasId>(list: readonly T[], item: T): readonly T[] {
  return [item, ...list.filter((p) => p.id !== item.id)];
}

/** `item` in place of the entry with its id (no-op when absent). */
export function replaceItem<T extends HasId>(list: readonly T[], item: T): readonly T[] {
  const at = list.findIndex((p) => p.id === item.id);
  if (at < 0) return list;
  const out = list.slice();
  out[at] = item;
  return out;
}
