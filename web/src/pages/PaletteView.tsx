// One palette: the image, its swatches (click to copy), regenerate with k = 5/7/9, inline
// rename, delete with confirmation.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, type Palette, type Workspace } from '../api';
import { Link, navigate } from '../router';
import { Spinner } from '../components/Spinner';
import { useToast } from '../components/Toast';
import { SwatchStrip } from '../components/SwatchStrip';
import { formatBytes, formatDate, inkFor } from '../color';
import { copyText } from '../format';

const K_CHOICES = [5, 7, 9];

function labelFor(p: Palette, i: number): string {
  return p.labels?.[i] ?? String.fromCharCode(65 + (i % 26));
}

export function PaletteViewPage({ workspace, id }: { workspace: Workspace; id: string }) {
  const slug = workspace.slug;
  const listHref = `/w/${encodeURIComponent(slug)}`;
  const notify = useToast();
  const [palette, setPalette] = useState<Palette | null>(null);
  const [loadError, setLoadError] = useState('');
  const [error, setError] = useState('');
  const [busyK, setBusyK] = useState<number | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState('');
  const [renameError, setRenameError] = useState('');
  const [saving, setSaving] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [copied, setCopied] = useState<number | null>(null);
  const renameRef = useRef<HTMLInputElement>(null);
  const deleteBtnRef = useRef<HTMLButtonElement>(null);
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    setPalette(null);
    setLoadError('');
    api
      .getPalette(slug, id)
      .then((res) => live && setPalette(res.palette))
      .catch((e) => live && setLoadError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [slug, id]);

  useEffect(() => {
    if (palette) document.title = `${palette.name} · Palette Maker`;
  }, [palette?.name]);

  useEffect(() => {
    if (renaming) renameRef.current?.select();
  }, [renaming]);

  useEffect(() => {
    if (confirming) cancelDeleteRef.current?.focus();
  }, [confirming]);

  if (loadError) {
    return (
      <main className="page" id="main">
        <Link href={listHref} className="back">
          ← All palettes
        </Link>
        <p className="alert alert--error" role="alert">
          {loadError}
        </p>
      </main>
    );
  }
  if (!palette) {
    return (
      <main className="page" id="main">
        <Spinner label="Loading palette…" />
      </main>
    );
  }

  const p = palette;
  const currentK = typeof p.params?.k === 'number' ? p.params.k : null;

  async function regenerate(k: number) {
    setBusyK(k);
    setError('');
    try {
      const res = await api.extract(slug, p.id, k);
      setPalette((old) =>
        old && {
          ...old,
          colors: res.colors,
          labels: res.labels ?? old.labels,
          coverage: res.coverage,
          region_colors: res.region_colors ?? old.region_colors,
          params: { ...(old.params ?? {}), k },
        },
      );
      notify(`Regenerated with ${k} clusters: ${res.colors.length} colours`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusyK(null);
    }
  }

  async function saveName(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setRenameError('');
    try {
      const res = await api.renamePalette(slug, p.id, draft);
      setPalette(res.palette);
      setRenaming(false);
      notify('Renamed');
    } catch (err) {
      setRenameError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  }

  async function doDelete() {
    setDeleting(true);
    setError('');
    try {
      await api.deletePalette(slug, p.id);
      notify(`Deleted “${p.name}”`);
      navigate(listHref);
    } catch (e) {
      setError(errorMessage(e));
      setDeleting(false);
      setConfirming(false);
    }
  }

  async function copy(i: number) {
    const hex = p.colors[i];
    const ok = await copyText(hex);
    setCopied(i);
    window.setTimeout(() => setCopied((c) => (c === i ? null : c)), 1400);
    notify(ok ? `Copied ${hex}` : `Could not copy ${hex}`);
  }

  return (
    <main className="page page--palette" id="main">
      <Link href={listHref} className="back">
        ← All palettes
      </Link>

      <div className="pv-head">
        {renaming ? (
          <form className="rename" onSubmit={saveName} aria-label="Rename palette">
            <label htmlFor="rename-input" className="visually-hidden">
              Palette name
            </label>
            <input
              id="rename-input"
              ref={renameRef}
              className="rename__input"
              value={draft}
              maxLength={100}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  setRenaming(false);
                  setRenameError('');
                }
              }}
              aria-invalid={renameError ? true : undefined}
              aria-describedby={renameError ? 'rename-error' : 'rename-hint'}
            />
            <button type="submit" className="btn btn--primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              className="btn btn--ghost"
              onClick={() => {
                setRenaming(false);
                setRenameError('');
              }}
            >
              Cancel
            </button>
            {renameError ? (
              <p id="rename-error" className="alert alert--error rename__msg" role="alert" data-testid="rename-error">
                {renameError}
              </p>
            ) : (
              <p id="rename-hint" className="hint rename__msg">
                1–100 characters. Enter to save, Escape to cancel.
              </p>
            )}
          </form>
        ) : (
          <>
            <h1 className="pv-title" data-testid="palette-title">
              {p.name}
            </h1>
            <div className="pv-actions">
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setDraft(p.name);
                  setRenameError('');
                  setRenaming(true);
                }}
              >
                Rename
              </button>
              <button type="button" className="btn btn--danger-ghost" ref={deleteBtnRef} onClick={() => setConfirming(true)}>
                Delete
              </button>
            </div>
          </>
        )}
      </div>

      {confirming && (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-desc">
          <div>
            <p id="confirm-title" className="confirm__title">
              Delete “{p.name}”?
            </p>
            <p id="confirm-desc" className="muted">
              The palette and its image are removed for everyone in this workspace. This cannot be undone.
            </p>
          </div>
          <div className="confirm__actions">
            <button
              type="button"
              className="btn"
              ref={cancelDeleteRef}
              onClick={() => {
                setConfirming(false);
                deleteBtnRef.current?.focus();
              }}
            >
              Cancel
            </button>
            <button type="button" className="btn btn--danger" onClick={doDelete} disabled={deleting}>
              {deleting ? 'Deleting…' : 'Delete palette'}
            </button>
          </div>
        </div>
      )}

      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}

      <div className="pv-body">
        <figure className="pv-image card">
          <img src={p.image_url} alt={`The image of palette ${p.name}`} width={p.image?.width} height={p.image?.height} />
          <SwatchStrip className="pv-image__strip" colors={p.colors} />
          <figcaption className="muted">
            {p.image && (
              <>
                {p.image.format?.toUpperCase()} · {p.image.width} × {p.image.height} · {formatBytes(p.image.bytes)} ·{' '}
              </>
            )}
            added {formatDate(p.created_at)}
          </figcaption>
        </figure>

        <section className="pv-side" aria-labelledby="swatches-title">
          <div className="pv-side__head">
            <h2 id="swatches-title" className="section-title">
              Swatches <span className="muted">({p.colors.length})</span>
            </h2>
            <div className="segmented" role="group" aria-label="Regenerate with number of clusters">
              <span className="segmented__label muted" aria-hidden="true">
                Regenerate
              </span>
              {K_CHOICES.map((k) => (
                <button
                  key={k}
                  type="button"
                  className="segmented__btn"
                  aria-pressed={currentK === k}
                  disabled={busyK !== null}
                  onClick={() => regenerate(k)}
                  aria-label={`Regenerate with K = ${k}`}
                  data-testid={`regen-${k}`}
                >
                  {busyK === k ? '…' : `K=${k}`}
                </button>
              ))}
            </div>
          </div>

          {p.colors.length === 0 ? (
            <p className="muted">
              No colours were found in this image’s luminance band. Try regenerating with a larger K.
            </p>
          ) : (
            <ul className={'swatches' + (busyK !== null ? ' swatches--busy' : '')} aria-busy={busyK !== null}>
              {p.colors.map((hex, i) => {
                const label = labelFor(p, i);
                const cov = p.coverage?.[i];
                return (
                  <li key={`${i}-${hex}`}>
                    <button
                      type="button"
                      className="swatch"
                      onClick={() => copy(i)}
                      aria-label={`Swatch ${label}, ${hex}. Copy hex`}
                      data-testid="swatch"
                    >
                      <span className="swatch__color" style={{ background: hex, color: inkFor(hex) }}>
                        <span className="swatch__label" data-testid="swatch-label">
                          {label}
                        </span>
                      </span>
                      <span className="swatch__main">
                        <span className="swatch__hex" data-testid="swatch-hex">
                          {hex}
                        </span>
                        {typeof cov === 'number' && (
                          <span className="swatch__bar" aria-hidden="true">
                            <span style={{ width: `${Math.max(2, Math.min(100, cov * 100))}%`, background: hex }} />
                          </span>
                        )}
                      </span>
                      {typeof cov === 'number' && (
                        <span className="swatch__cov muted" title="Share of sampled pixels">
                          {(cov * 100).toFixed(1)}%
                        </span>
                      )}
                      <span className={'swatch__copy' + (copied === i ? ' swatch__copy--done' : '')} aria-hidden="true">
                        {copied === i ? 'Copied' : 'Copy'}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <p className="hint">Click a swatch to copy its hex code.</p>
        </section>
      </div>
    </main>
  );
}
