// One palette: the image with its region overlay, the swatches (copy, labels, background,
// delete, sample a new one from the image), regenerate with k = 5/7/9, region detection,
// contrast, export, share links; rename and delete the palette. Viewers get everything that
// only reads (copy, names, contrast, export), and no write controls at all.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, type Workspace } from '../api';
import {
  detectRegions,
  extractColors,
  normalisePalette,
  patchPalette,
  type FullPalette,
  type PalettePatch,
  type RegionRequest,
  type TemplateBox,
} from '../api-palette';
import { Link, navigate } from '../router';
import { Spinner } from '../components/Spinner';
import { useToast } from '../components/Toast';
import { SwatchStrip } from '../components/SwatchStrip';
import { ImageStage, type StageMode } from '../components/palette/ImageStage';
import { SwatchList } from '../components/palette/SwatchList';
import { matchedSwatch, RegionPanel } from '../components/palette/RegionPanel';
import { ContrastPanel } from '../components/palette/ContrastPanel';
import { ExportLinks } from '../components/palette/ExportLinks';
import { SharePanel } from '../components/palette/SharePanel';
import { addSwatch, removeRegion } from '../palette/edits';
import { regionLabel } from '../palette/geometry';
import { formatBytes, formatDate } from '../color';
import '../components/palette/palette.css';

const K_CHOICES = [5, 7, 9];
const WRITERS = new Set(['owner', 'admin', 'editor']);

export function PaletteViewPage({ workspace, id }: { workspace: Workspace; id: string }) {
  const slug = workspace.slug;
  const canWrite = WRITERS.has(workspace.role);
  const listHref = `/w/${encodeURIComponent(slug)}`;
  const notify = useToast();
  const [palette, setPalette] = useState<FullPalette | null>(null);
  const [loadError, setLoadError] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null); // what is running: 'k5', 'patch', 'detect', ...
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState('');
  const [renameError, setRenameError] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [mode, setMode] = useState<StageMode>('view');
  const [box, setBox] = useState<TemplateBox | null>(null);
  const [hotRegion, setHotRegion] = useState<number | null>(null);
  const [matchOn, setMatchOn] = useState(false);
  const renameRef = useRef<HTMLInputElement>(null);
  const renameSettled = useRef(false);
  const deleteBtnRef = useRef<HTMLButtonElement>(null);
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);
  const sampleBtnRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    setPalette(null);
    setLoadError('');
    api
      .getPalette(slug, id)
      .then((res) => live && setPalette(normalisePalette(res.palette)))
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

  const hotSwatches = useMemo(() => {
    const s = new Set<number>();
    if (palette && matchOn) {
      const m = matchedSwatch(palette, hotRegion);
      if (m !== null) s.add(m);
    }
    return s;
  }, [palette, matchOn, hotRegion]);

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

  /** Runs one write; on success the palette is replaced and `done` announced. */
  async function run(what: string, call: () => Promise<FullPalette>, done: (next: FullPalette) => string): Promise<boolean> {
    setBusy(what);
    setError('');
    try {
      const next = await call();
      setPalette(next);
      notify(done(next));
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(null);
    }
  }

  const patch = (body: PalettePatch, done: string) => run('patch', () => patchPalette(slug, p.id, body), () => done);

  function regenerate(k: number) {
    return run(`k${k}`, () => extractColors(slug, p.id, k), (n) => `Regenerated with ${k} clusters: ${n.colors.length} colours`);
  }

  /** Detects regions; the error, if any, is for the region panel to show next to its form. */
  async function detect(req: RegionRequest): Promise<string | null> {
    setBusy('detect');
    setError('');
    try {
      const next = await detectRegions(slug, p.id, req);
      setPalette(next);
      setMode('view');
      notify(next.regions.length === 1 ? 'Found 1 region' : `Found ${next.regions.length} regions`);
      return null;
    } catch (e) {
      return `Could not detect regions: ${errorMessage(e)}`;
    } finally {
      setBusy(null);
    }
  }

  function dropRegion(i: number) {
    const label = p.region_labels[i] ?? regionLabel(i);
    setHotRegion(null);
    patch(removeRegion(p.regions, p.region_labels, i), `Removed region ${label}`);
  }

  async function sample(hex: string) {
    const ok = await patch(addSwatch({ colors: p.colors, labels: p.labels, background: p.background }, hex), `Added ${hex}`);
    if (ok) {
      setMode('view');
      sampleBtnRef.current?.focus();
    }
  }

  async function saveName(e?: FormEvent) {
    e?.preventDefault();
    if (renameSettled.current) return;
    renameSettled.current = true;
    setBusy('rename');
    setRenameError('');
    try {
      const next = await patchPalette(slug, p.id, { name: draft });
      setPalette(next);
      setRenaming(false);
      notify('Renamed');
    } catch (err) {
      // Stays settled: leaving the field does not send the same bad name again; typing does.
      setRenameError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  function cancelRename() {
    renameSettled.current = true;
    setRenaming(false);
    setRenameError('');
  }

  async function doDelete() {
    setBusy('delete');
    setError('');
    try {
      await api.deletePalette(slug, p.id);
      notify(`Deleted “${p.name}”`);
      navigate(listHref);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(null);
      setConfirming(false);
    }
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
              onChange={(e) => {
                renameSettled.current = false;
                setDraft(e.target.value);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Escape') cancelRename();
              }}
              onBlur={(e) => {
                // Leaving for Save or Cancel: the button decides. Anywhere else: save.
                if (e.relatedTarget && e.currentTarget.form?.contains(e.relatedTarget as Node)) return;
                saveName();
              }}
              aria-invalid={renameError ? true : undefined}
              aria-describedby={renameError ? 'rename-error' : 'rename-hint'}
              data-testid="rename-input"
            />
            <button type="submit" className="btn btn--primary" disabled={busy === 'rename'}>
              {busy === 'rename' ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="btn btn--ghost" onClick={cancelRename}>
              Cancel
            </button>
            {renameError ? (
              <p id="rename-error" className="alert alert--error rename__msg" role="alert" data-testid="rename-error">
                {renameError}
              </p>
            ) : (
              <p id="rename-hint" className="hint rename__msg">
                1–100 characters. Enter or leaving the field saves, Escape cancels.
              </p>
            )}
          </form>
        ) : (
          <>
            <h1 className="pv-title" data-testid="palette-title">
              {p.name}
            </h1>
            {canWrite && (
              <div className="pv-actions">
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    renameSettled.current = false;
                    setDraft(p.name);
                    setRenameError('');
                    setRenaming(true);
                  }}
                  data-testid="rename-palette"
                >
                  Rename
                </button>
                <button
                  type="button"
                  className="btn btn--danger-ghost"
                  ref={deleteBtnRef}
                  onClick={() => setConfirming(true)}
                  data-testid="delete-palette"
                >
                  Delete
                </button>
              </div>
            )}
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
            <button type="button" className="btn btn--danger" onClick={doDelete} disabled={busy === 'delete'}>
              {busy === 'delete' ? 'Deleting…' : 'Delete palette'}
            </button>
          </div>
        </div>
      )}

      {error && (
        <p className="alert alert--error pv-error" role="alert" data-testid="palette-error">
          {error}
        </p>
      )}

      <div className="pv-layout">
        <div className="pv-main">
          <figure className="pv-image card">
            <ImageStage
              palette={p}
              mode={mode}
              canWrite={canWrite}
              hot={hotRegion}
              onHot={setHotRegion}
              onSample={sample}
              onCancel={() => setMode('view')}
              box={box}
              onBox={(b) => {
                setBox(b);
                setMode('view');
              }}
              onRemoveRegion={dropRegion}
            />
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

          <RegionPanel
            palette={p}
            canWrite={canWrite}
            busy={busy === 'detect' || busy === 'patch'}
            hot={hotRegion}
            onHot={setHotRegion}
            matchOn={matchOn}
            onMatch={setMatchOn}
            drawing={mode === 'box'}
            onDraw={(on) => setMode(on ? 'box' : 'view')}
            box={box}
            onBox={setBox}
            onDetect={detect}
            onRemove={dropRegion}
            onClear={() => patch({ regions: [] }, 'Removed every region')}
          />
        </div>

        <div className="pv-aside">
          <section className="pv-panel card" aria-labelledby="swatches-title">
            <div className="pv-side__head">
              <h2 id="swatches-title" className="section-title">
                Swatches <span className="muted">({p.colors.length})</span>
              </h2>
              {canWrite && (
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
                      disabled={busy !== null}
                      onClick={() => regenerate(k)}
                      aria-label={`Regenerate with K = ${k}`}
                      data-testid={`regen-${k}`}
                    >
                      {busy === `k${k}` ? '…' : `K=${k}`}
                    </button>
                  ))}
                </div>
              )}
            </div>
            <SwatchList palette={p} canWrite={canWrite} busy={busy !== null} hot={hotSwatches} onPatch={patch} />
            <div className="pv-swatch-foot">
              <p className="hint">Click a colour to copy its hex code.</p>
              {canWrite && (
                <button
                  type="button"
                  ref={sampleBtnRef}
                  className="btn btn--sm"
                  aria-pressed={mode === 'sample'}
                  disabled={busy !== null || p.colors.length >= 64}
                  onClick={() => setMode(mode === 'sample' ? 'view' : 'sample')}
                  data-testid="sample-start"
                >
                  {mode === 'sample' ? 'Stop sampling' : 'Sample colour'}
                </button>
              )}
            </div>
          </section>

          <ContrastPanel colors={p.colors} labels={p.labels} background={p.background} />
          <ExportLinks slug={slug} id={p.id} />
          <SharePanel slug={slug} id={p.id} canWrite={canWrite} />
        </div>
      </div>
    </main>
  );
}
