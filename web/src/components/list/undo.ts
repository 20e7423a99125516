// The pending deletes behind the "Deleted “name”. Undo" toasts. A delete hides the card at once
// and waits here; the DELETE request is sent when its deadline passes (or everything is flushed
// on navigation), and Undo takes it out again. Pure and time-free (the caller passes `now`), so
// the order of events is unit-tested in undo.test.ts.
import type { Slot } from './reorder';

/** How long a deleted card can be brought back. */
export const UNDO_MS = 6000;

export interface PendingDelete<T> {
  item: T;
  /** Where the card stood, to restore it in place. */
  slot: Slot;
  /** Epoch ms after which the DELETE is sent. */
  due: number;
}

export type UndoQueue<T> = readonly PendingDelete<T>[];

interface HasId {
  id: number;
}

/** Adds a pending delete (replacing an older one for the same id), oldest first. */
export function enqueue<T extends HasId>(q: UndoQueue<T>, item: T, slot: Slot, now: number, ms = UNDO_MS): UndoQueue<T> {
  return [...q.filter((e) => e.item.id !== item.id), { item, slot, due: now + ms }];
}

/** Takes the pending delete of `id` out of the queue (Undo): [the entry or null, the rest]. */
export function take<T extends HasId>(q: UndoQueue<T>, id: number): [PendingDelete<T> | null, UndoQueue<T>] {
  const entry = q.find((e) => e.item.id === id) ?? null;
  return entry ? [entry, q.filter((e) => e !== entry)] : [null, q];
}

/** Splits the queue into the entries whose time is up at `now` (to send) and the rest. */
export function due<T>(q: UndoQueue<T>, now: number): [UndoQueue<T>, UndoQueue<T>] {
  const ready = q.filter((e) => e.due <= now);
  return ready.length === 0 ? [ready, q] : [ready, q.filter((e) => e.due > now)];
}

/** Milliseconds from `now` to the next deadline (0 when one has passed), or null when empty. */
export function nextDelay<T>(q: UndoQueue<T>, now: number): number | null {
  if (q.length === 0) return null;
  return Math.max(0, Math.min(...q.map((e) => e.due)) - now);
}

/** The ids waiting to be deleted: hidden from the list, and left out of pages loaded meanwhile. */
export function pendingIds<T extends HasId>(q: UndoQueue<T>): Set<number> {
  return new Set(q.map((e) => e.item.id));
}
