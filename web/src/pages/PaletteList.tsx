// The palettes of one workspace in list order (new ones on top), paged on next_cursor by
// infinite scroll with a "Load more" button as the keyboard fallback. Editors and up can move,
// duplicate and delete cards; a delete waits UNDO_MS behind an Undo toast before it is sent.
// Long lists render only the rows near the viewport (components/list/useGridWindow.ts).
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import { ApiError, api, errorMessage, type Palette, type Workspace } from '../api';
import { listApi } from '../api-list';
import { navigate } from '../router';
import { SwatchStrip } from '../components/SwatchStrip';
import { Spinner } from '../components/Spinner';
import { Uploader } from '../components/Uploader';
import { useToast } from '../components/Toast';
import { PaletteCard, type CardAction } from '../components/list/PaletteCard';
import { UndoToasts } from '../components/list/UndoToasts';
import { useGridWindow } from '../components/list/useGridWindow';
import { useInfiniteScroll } from '../components/list/useInfiniteScroll';
import {
  appendPage,
  applyMove,
  canMove,
  needsNextPage,
  putOnTop,
  replaceItem,
  restoreAt,
  slotOf,
  type MoveTo,
  type Slot,
} from '../components/list/reorder';
import { due, enqueue, nextDelay, pendingIds, take, type UndoQueue } from '../components/list/undo';
import '../components/list/list.css';

/** The first page is small so the list shows fast; later pages are bigger (fewer round trips). */
const FIRST_PAGE = 24;
const NEXT_PAGE = 60;
/** Card geometry; list.css reads the height and gap from the custom properties set below. */
const MIN_CARD = 230;
const GAP = 18;
const CARD_H_EDIT = 300;
const CARD_H_VIEW = 256;

const MOVE_WORDS: Record<MoveTo, string> = { top: 'to the top', up: 'up', down: 'down', bottom: 'to the bottom' };

interface FocusTarget {
  id: number;
  action: CardAction | 'link';
  /** Where to put focus when the card is no longer loaded (moved to the bottom of a long list). */
  fallbackIndex: number;
}

export function PaletteListPage({ workspace }: { workspace: Workspace }) {
  const slug = workspace.slug;
  // Viewers (and any role this page does not know) get no write controls at all.
  const canWrite = ['owner', 'admin', 'editor'].includes(workspace.role);
  const notify = useToast();
  const [items, setItems] = useState<readonly Palette[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState('');
  const [queue, setQueue] = useState<UndoQueue<Palette>>([]);
  const [busyIds, setBusyIds] = useState<ReadonlySet<number>>(new Set());
  const [announcement, setAnnouncement] = useState('');

  // The latest values for callbacks that outlive a render (timers, the write chain, unmount).
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const cursorRef = useRef(cursor);
  cursorRef.current = cursor;
  const queueRef = useRef(queue);
  queueRef.current = queue;
  const loadingMoreRef = useRef<Promise<void> | null>(null);
  const generation = useRef(0); // bumped by every reload, so late answers of older loads are dropped
  const writes = useRef<Promise<unknown>>(Promise.resolve());
  const focusTarget = useRef<FocusTarget | null>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = `${workspace.name} · Palette Maker`;
  }, [workspace.name]);

  const reload = useCallback(
    async (message = '') => {
      const gen = ++generation.current;
      setLoading(true);
      setError(message);
      try {
        const res = await api.listPalettes(slug, null, FIRST_PAGE);
        if (gen !== generation.current) return;
        const hidden = pendingIds(queueRef.current);
        setItems(res.palettes.filter((p) => !hidden.has(p.id)));
        setCursor(res.next_cursor);
      } catch (e) {
        if (gen === generation.current) setError(message ? `${message} ${errorMessage(e)}` : errorMessage(e));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [slug],
  );

  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  /** Loads the page after `cursor`; concurrent callers share one request. */
  const loadMore = useCallback((): Promise<void> => {
    if (loadingMoreRef.current) return loadingMoreRef.current;
    const after = cursorRef.current;
    if (!after) return Promise.resolve();
    const gen = generation.current;
    setLoadingMore(true);
    setError('');
    const p = (async () => {
      try {
        const res = await api.listPalettes(slug, after, NEXT_PAGE);
        if (gen !== generation.current) return;
        const hidden = pendingIds(queueRef.current);
        // Set the refs now too: a move waiting on this page reads them before the next render.
        itemsRef.current = appendPage(itemsRef.current, res.palettes, hidden);
        cursorRef.current = res.next_cursor;
        setItems((l) => appendPage(l, res.palettes, hidden));
        setCursor(res.next_cursor);
      } catch (e) {
        if (gen === generation.current) setError(errorMessage(e));
      } finally {
        loadingMoreRef.current = null;
        setLoadingMore(false);
      }
    })();
    loadingMoreRef.current = p;
    return p;
  }, [slug]);

  useInfiniteScroll(sentinelRef, !loading && !loadingMore && cursor !== null && error === '', () => void loadMore());

  // ---- writes: one at a time, in the order the user asked, so the server applies the moves in
  // the order they were shown (two moves in flight could otherwise arrive swapped).
  const enqueueWrite = useCallback((job: () => Promise<void>) => {
    const next = writes.current.then(job, job);
    writes.current = next.catch(() => {});
    return next;
  }, []);

  const setBusy = (id: number, on: boolean) =>
    setBusyIds((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  // ---- delete with undo
  const sendDelete = useCallback(
    (p: Palette, slot: Slot) =>
      enqueueWrite(async () => {
        try {
          await listApi.remove(slug, p.id);
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) return; // already gone: what the user wanted
          // Put it back (where it was, as far as the list still allows) and say why.
          setItems((l) => restoreAt(l, p, slot));
          setError(`Could not delete “${p.name}”: ${errorMessage(e)}`);
        }
      }),
    [slug, enqueueWrite],
  );

  /** Sends the deletes whose toast has expired (or all of them). */
  const flushDeletes = useCallback(
    (all: boolean): Promise<unknown> => {
      const [ready, rest] = all ? [queueRef.current, [] as UndoQueue<Palette>] : due(queueRef.current, Date.now());
      if (ready.length === 0) return Promise.resolve();
      queueRef.current = rest;
      setQueue(rest);
      return Promise.all(ready.map((e) => sendDelete(e.item, e.slot)));
    },
    [sendDelete],
  );

  useEffect(() => {
    const delay = nextDelay(queue, Date.now());
    if (delay === null) return;
    const t = window.setTimeout(() => void flushDeletes(false), delay);
    return () => window.clearTimeout(t);
  }, [queue, flushDeletes]);

  // Leaving the page (another screen, a reload, closing the tab) commits the pending deletes:
  // the card is already gone from the user's point of view.
  useEffect(() => {
    const onExit = () => {
      for (const e of queueRef.current) listApi.removeOnExit(slug, e.item.id);
      queueRef.current = [];
    };
    window.addEventListener('pagehide', onExit);
    return () => {
      window.removeEventListener('pagehide', onExit);
      onExit();
    };
  }, [slug]);

  const undo = useCallback((id: number) => {
    const [entry, rest] = take(queueRef.current, id);
    if (!entry) return;
    queueRef.current = rest;
    setQueue(rest);
    setItems((l) => restoreAt(l, entry.item, entry.slot));
    focusTarget.current = { id, action: 'link', fallbackIndex: entry.slot.index };
    setAnnouncement(`Restored ${entry.item.name}.`);
  }, []);

  // ---- the card buttons
  const onAction = useCallback(
    async (id: number, action: CardAction) => {
      const list = itemsRef.current;
      const index = list.findIndex((p) => p.id === id);
      if (index < 0) return;
      const p = list[index];
      if (action === 'delete') {
        const slot = slotOf(list, id)!;
        const rest = list.filter((x) => x.id !== id);
        itemsRef.current = rest;
        setItems((l) => l.filter((x) => x.id !== id));
        queueRef.current = enqueue(queueRef.current, p, slot, Date.now());
        setQueue(queueRef.current);
        const next = rest[Math.min(index, rest.length - 1)];
        if (next) focusTarget.current = { id: next.id, action: 'link', fallbackIndex: index };
        return;
      }
      if (action === 'duplicate') {
        setBusy(id, true);
        await enqueueWrite(async () => {
          try {
            const res = await listApi.duplicate(slug, id);
            setItems((l) => putOnTop(l, res.palette));
            notify(`Duplicated as “${res.palette.name}” (now at the top).`);
          } catch (e) {
            setError(`Could not duplicate “${p.name}”: ${errorMessage(e)}`);
          } finally {
            setBusy(id, false);
          }
        });
        return;
      }
      const to = action;
      let complete = cursorRef.current === null;
      if (!canMove(index, list.length, to, complete)) return;
      if (needsNextPage(index, list.length, to, complete)) {
        await loadMore(); // its lower neighbour must be loaded (see reorder.ts)
        complete = cursorRef.current === null;
      }
      // Up and down swap with the neighbour in the server's order, which may be a card waiting
      // behind an Undo toast: send those deletes first so both orders agree.
      if ((to === 'up' || to === 'down') && queueRef.current.length > 0) await flushDeletes(true);
      const before = itemsRef.current;
      const after = applyMove(before, id, to, complete);
      if (after === before) return;
      itemsRef.current = after;
      setItems((l) => applyMove(l, id, to, complete));
      focusTarget.current = { id, action: to, fallbackIndex: index };
      setAnnouncement(`Moved ${p.name} ${MOVE_WORDS[to]}.`);
      await enqueueWrite(async () => {
        try {
          const res = await listApi.move(slug, id, to);
          setItems((l) => replaceItem(l, res.palette));
        } catch (e) {
          // The optimistic order is no longer trustworthy: show the server's.
          const why =
            e instanceof ApiError && e.status === 409
              ? 'The list was changed somewhere else, so it has been reloaded.'
              : `Could not move “${p.name}”: ${errorMessage(e)} The list has been reloaded.`;
          await reload(why);
        }
      });
    },
    [slug, enqueueWrite, flushDeletes, loadMore, notify, reload],
  );

  function onUploaded(p: Palette, single: boolean) {
    if (single) {
      navigate(`/w/${encodeURIComponent(slug)}/p/${p.id}`);
      return;
    }
    setItems((ps) => putOnTop(ps, p));
  }

  // ---- layout
  const rowHeight = canWrite ? CARD_H_EDIT : CARD_H_VIEW;
  const grid = useGridWindow(items.length, { minCard: MIN_CARD, rowHeight, gap: GAP });
  const [start, end] = grid.virtual ? [grid.window.start, grid.window.end] : [0, items.length];

  // Keep keyboard focus on the card the user acted on, wherever it went.
  const focusTries = useRef(0);
  useLayoutEffect(() => {
    const t = focusTarget.current;
    const list = grid.element;
    if (!t || !list) return;
    if (++focusTries.current > 3) {
      focusTarget.current = null; // the card never showed up (the list was reloaded meanwhile)
      focusTries.current = 0;
      return;
    }
    const index = items.findIndex((p) => p.id === t.id);
    const card = list.querySelector<HTMLElement>(`[data-palette-id="${t.id}"]`);
    if (!card) {
      if (index >= 0) {
        grid.scrollToIndex(index); // off-window: scroll there, focus on the next render
        return;
      }
      focusTarget.current = null;
      const other = items[Math.min(t.fallbackIndex, items.length - 1)];
      if (other) focusTarget.current = { id: other.id, action: 'link', fallbackIndex: t.fallbackIndex };
      else return;
      grid.scrollToIndex(Math.min(t.fallbackIndex, items.length - 1));
      return;
    }
    focusTarget.current = null;
    focusTries.current = 0;
    const button = card.querySelector<HTMLElement>(`[data-action="${t.action}"]`);
    const target = button && button.getAttribute('aria-disabled') !== 'true' ? button : card.querySelector<HTMLElement>('[data-card-link]');
    target?.focus({ preventScroll: false });
  });

  const complete = cursor === null;
  const hrefOf = (p: Palette) => `/w/${encodeURIComponent(slug)}/p/${p.id}`;

  return (
    <main className="page" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Palettes</h1>
          <p className="muted page__sub">
            {canWrite
              ? 'Upload a photo and Palette Maker extracts its dominant colours.'
              : 'You can view this workspace’s palettes; ask an admin for editor access to add or change them.'}
          </p>
        </div>
      </div>

      {canWrite && <Uploader slug={slug} onUploaded={onUploaded} />}

      {error && (
        <p className="alert alert--error" role="alert" data-testid="list-error">
          {error}
        </p>
      )}

      {loading && items.length === 0 ? (
        <Spinner label="Loading palettes…" />
      ) : items.length === 0 && !error && cursor === null ? (
        <div className="empty" data-testid="list-empty">
          <SwatchStrip className="empty__strip" colors={['#f97316', '#facc15', '#22c55e', '#3b82f6', '#a855f7']} />
          <h2>No palettes yet</h2>
          <p className="muted">
            {canWrite ? 'Drop an image here to make your first palette.' : 'Nobody has added a palette to this workspace yet.'}
          </p>
        </div>
      ) : (
        <>
          <ul
            ref={grid.ref}
            className="plist"
            aria-label="Palettes"
            data-testid="palette-list"
            data-total={items.length}
            style={
              {
                '--cols': grid.geometry.columns,
                '--card-h': `${rowHeight}px`,
                '--gap': `${GAP}px`,
                paddingTop: grid.virtual ? grid.window.padTop : 0,
                paddingBottom: grid.virtual ? grid.window.padBottom : 0,
              } as CSSProperties
            }
          >
            {items.slice(start, end).map((p, i) => (
              <PaletteCard
                key={p.id}
                palette={p}
                href={hrefOf(p)}
                canWrite={canWrite}
                canRaise={canMove(start + i, items.length, 'up', complete)}
                canLower={canMove(start + i, items.length, 'down', complete)}
                busy={busyIds.has(p.id)}
                onAction={onAction}
              />
            ))}
          </ul>
          <div ref={sentinelRef} className="plist__sentinel" data-testid="list-sentinel" />
          {cursor && (
            <div className="more">
              <button type="button" className="btn" data-testid="load-more" onClick={() => void loadMore()} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
      <p className="visually-hidden" aria-live="polite" data-testid="list-announcement">
        {announcement}
      </p>
      {canWrite && <UndoToasts queue={queue} onUndo={undo} />}
    </main>
  );
}
