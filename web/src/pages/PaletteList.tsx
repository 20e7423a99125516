// The palettes of one workspace, newest first, with "Load more" paging on next_cursor.
import { useEffect, useState } from 'react';
import { api, errorMessage, type Palette, type Workspace } from '../api';
import { Link, navigate } from '../router';
import { SwatchStrip } from '../components/SwatchStrip';
import { Spinner } from '../components/Spinner';
import { Uploader } from '../components/Uploader';
import { formatDate } from '../color';

const PAGE = 24;

export function PaletteListPage({ workspace }: { workspace: Workspace }) {
  const slug = workspace.slug;
  const [palettes, setPalettes] = useState<Palette[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    document.title = `${workspace.name} · Palette Maker`;
  }, [workspace.name]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError('');
    setPalettes([]);
    setCursor(null);
    api
      .listPalettes(slug, null, PAGE)
      .then((res) => {
        if (!live) return;
        setPalettes(res.palettes);
        setCursor(res.next_cursor);
      })
      .catch((e) => live && setError(errorMessage(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [slug]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    setError('');
    try {
      const res = await api.listPalettes(slug, cursor, PAGE);
      setPalettes((ps) => {
        const seen = new Set(ps.map((p) => p.id));
        return [...ps, ...res.palettes.filter((p) => !seen.has(p.id))];
      });
      setCursor(res.next_cursor);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }

  function onUploaded(p: Palette, single: boolean) {
    if (single) {
      navigate(`/w/${encodeURIComponent(slug)}/p/${p.id}`);
      return;
    }
    setPalettes((ps) => [p, ...ps.filter((x) => x.id !== p.id)]);
  }

  return (
    <main className="page" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Palettes</h1>
          <p className="muted page__sub">Upload a photo and Palette Maker extracts its dominant colours.</p>
        </div>
      </div>

      <Uploader slug={slug} onUploaded={onUploaded} />

      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}

      {loading ? (
        <Spinner label="Loading palettes…" />
      ) : palettes.length === 0 && !error ? (
        <div className="empty">
          <SwatchStrip className="empty__strip" colors={['#f97316', '#facc15', '#22c55e', '#3b82f6', '#a855f7']} />
          <h2>No palettes yet</h2>
          <p className="muted">Drop an image anywhere on this page to make your first one.</p>
        </div>
      ) : (
        <>
          <ul className="grid" aria-label="Palettes" data-testid="palette-list">
            {palettes.map((p) => (
              <li key={p.id} className="tile" data-testid="palette-card">
                <Link href={`/w/${encodeURIComponent(slug)}/p/${p.id}`} className="tile__link">
                  <div className="tile__thumb">
                    <img src={p.image_url} alt="" loading="lazy" decoding="async" />
                  </div>
                  <SwatchStrip className="tile__strip" colors={p.colors} />
                  <div className="tile__body">
                    <span className="tile__name" data-testid="palette-name">
                      {p.name}
                    </span>
                    <span className="tile__meta muted">
                      {p.colors.length} colours · {formatDate(p.created_at)}
                    </span>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
          {cursor && (
            <div className="more">
              <button type="button" className="btn" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </main>
  );
}
