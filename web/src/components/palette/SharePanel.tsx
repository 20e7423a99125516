// Share links: create one (its URL is shown once, with Copy), list the active ones, revoke.
// Viewers see the list only. A server without share links answers 404: said in words.
import { useEffect, useState } from 'react';
import { isNotFound, errorMessage } from '../../api';
import { createShare, listShares, revokeShare, type NewShare, type Share } from '../../api-shares';
import { formatDate } from '../../color';
import { copyText } from '../../format';
import { useToast } from '../Toast';

export function SharePanel({ slug, id, canWrite }: { slug: string; id: number; canWrite: boolean }) {
  const notify = useToast();
  const [shares, setShares] = useState<Share[] | null>(null);
  const [fresh, setFresh] = useState<NewShare | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    listShares(slug, id)
      .then((r) => live && setShares(r.shares))
      .catch((e) => {
        if (!live) return;
        setShares([]);
        setError(isNotFound(e) ? 'Share links are not available on this server.' : errorMessage(e));
      });
    return () => {
      live = false;
    };
  }, [slug, id]);

  async function create() {
    setBusy(true);
    setError('');
    try {
      const { share } = await createShare(slug, id);
      setFresh(share);
      setShares((s) => [share, ...(s ?? [])]);
      notify('Share link created');
    } catch (e) {
      setError(isNotFound(e) ? 'Share links are not available on this server.' : errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(shareId: number) {
    setBusy(true);
    setError('');
    try {
      await revokeShare(slug, id, shareId);
      setShares((s) => (s ?? []).filter((x) => x.id !== shareId));
      if (fresh?.id === shareId) setFresh(null);
      notify('Share link revoked');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const absolute = fresh ? new URL(fresh.url, location.origin).href : '';
  return (
    <section className="pv-panel card" aria-labelledby="share-title" data-testid="share-panel">
      <h2 id="share-title" className="section-title">
        Share
      </h2>
      {error && (
        <p className="alert alert--error" role="alert" data-testid="share-error">
          {error}
        </p>
      )}
      {canWrite && (
        <button type="button" className="btn" onClick={create} disabled={busy} data-testid="share-create">
          Create share link
        </button>
      )}
      {fresh && (
        <div className="pv-share__fresh">
          <p className="hint">Anyone with this link can view the palette. It is shown only now: copy it.</p>
          <div className="pv-share__url">
            <input readOnly value={absolute} aria-label="New share link" data-testid="share-url" onFocus={(e) => e.target.select()} />
            <button
              type="button"
              className="btn"
              onClick={async () => notify((await copyText(absolute)) ? 'Link copied' : 'Could not copy the link')}
            >
              Copy
            </button>
          </div>
        </div>
      )}
      {shares === null ? (
        <p className="muted">Loading share links…</p>
      ) : shares.length === 0 ? (
        !error && <p className="muted">No active share links.</p>
      ) : (
        <ul className="pv-shares">
          {shares.map((s) => (
            <li key={s.id} data-testid="share-item">
              <span>
                Created {formatDate(s.created_at)}
                {s.created_by?.name ? ` by ${s.created_by.name}` : ''}
              </span>
              {canWrite && (
                <button
                  type="button"
                  className="btn btn--sm btn--danger-ghost"
                  onClick={() => revoke(s.id)}
                  disabled={busy}
                  aria-label={`Revoke the link created ${formatDate(s.created_at)}`}
                  data-testid="share-revoke"
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
