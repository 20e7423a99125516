// The swatches: click the colour to copy its hex; the label edits inline (Enter or blur saves,
// Escape cancels); editors also set the background swatch and delete swatches.
import { useEffect, useRef, useState } from 'react';
import type { FullPalette, PalettePatch } from '../../api-palette';
import { inkFor } from '../../color';
import { colorName } from '../../colorNames';
import { relabel, removeSwatch } from '../../palette/edits';
import { copyText } from '../../format';
import { useToast } from '../Toast';

interface Props {
  palette: FullPalette;
  canWrite: boolean;
  busy: boolean;
  /** Swatch indices to highlight (matched to the hovered region). */
  hot: ReadonlySet<number>;
  onPatch: (body: PalettePatch, done: string) => Promise<boolean>;
}

function labelOf(p: FullPalette, i: number): string {
  return p.labels[i] ?? String.fromCharCode(65 + (i % 26));
}

export function SwatchList({ palette: p, canWrite, busy, hot, onPatch }: Props) {
  const notify = useToast();
  const [copied, setCopied] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  // Escape and Enter end editing before the input's blur fires; the blur must not save again.
  const settled = useRef(false);

  useEffect(() => {
    if (editing !== null) inputRef.current?.select();
  }, [editing]);

  async function copy(i: number) {
    const hex = p.colors[i];
    const ok = await copyText(hex);
    setCopied(i);
    window.setTimeout(() => setCopied((c) => (c === i ? null : c)), 1400);
    notify(ok ? `Copied ${hex}` : `Could not copy ${hex}`);
  }

  function startEdit(i: number) {
    settled.current = false;
    setDraft(labelOf(p, i));
    setEditing(i);
  }

  async function saveLabel(i: number) {
    if (settled.current) return;
    settled.current = true;
    setEditing(null);
    const labels = p.colors.map((_, j) => labelOf(p, j));
    const body = relabel({ colors: p.colors, labels, background: p.background }, i, draft);
    if (body) await onPatch(body, `Label ${labels[i]} renamed to ${body.labels[i]}`);
  }

  if (p.colors.length === 0) {
    return <p className="muted">No colours were found in this image’s luminance band. Try regenerating with a larger K.</p>;
  }

  const labels = p.colors.map((_, j) => labelOf(p, j));
  return (
    <ul className={'pv-swatches' + (busy ? ' pv-swatches--busy' : '')} aria-busy={busy}>
      {p.colors.map((hex, i) => {
        const label = labels[i];
        const cov = p.coverage?.[i];
        const name = colorName(hex);
        const isBg = p.background === i;
        return (
          <li
            key={`${i}-${hex}`}
            className={'pv-sw' + (hot.has(i) ? ' pv-sw--hot' : '')}
            data-testid="swatch-row"
            data-hot={hot.has(i) ? 'true' : undefined}
            data-background={isBg ? 'true' : undefined}
          >
            <button
              type="button"
              className="pv-sw__chip"
              style={{ background: hex, color: inkFor(hex) }}
              onClick={() => copy(i)}
              aria-label={`Copy ${hex} (swatch ${label})`}
              data-testid="swatch"
            >
              <span className="pv-sw__copy" aria-hidden="true">
                {copied === i ? 'Copied' : 'Copy'}
              </span>
            </button>
            <div className="pv-sw__main">
              <div className="pv-sw__top">
                {editing === i ? (
                  <input
                    ref={inputRef}
                    className="pv-sw__input"
                    value={draft}
                    maxLength={32}
                    aria-label={`Label of swatch ${hex}`}
                    data-testid="swatch-label-input"
                    onChange={(e) => setDraft(e.target.value)}
                    onBlur={() => saveLabel(i)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        saveLabel(i);
                      } else if (e.key === 'Escape') {
                        e.preventDefault();
                        e.stopPropagation();
                        settled.current = true;
                        setEditing(null);
                      }
                    }}
                  />
                ) : canWrite ? (
                  <button
                    type="button"
                    className="pv-sw__label pv-sw__label--edit"
                    onClick={() => startEdit(i)}
                    aria-label={`Edit label ${label}`}
                    title="Edit this label"
                    data-testid="swatch-label"
                  >
                    {label}
                  </button>
                ) : (
                  <span className="pv-sw__label" data-testid="swatch-label">
                    {label}
                  </span>
                )}
                <span className="pv-sw__hex" data-testid="swatch-hex">
                  {hex}
                </span>
                {isBg && (
                  <span className="badge pv-badge--bg" data-testid="background-badge">
                    Background
                  </span>
                )}
              </div>
              <div className="pv-sw__meta">
                {name && (
                  <span className="pv-sw__name" data-testid="swatch-name" title={`Nearest named colour ${name.hex}`}>
                    {name.deltaE < 1 ? name.name : `≈ ${name.name}`}
                  </span>
                )}
                {typeof cov === 'number' && (
                  <span className="pv-sw__cov muted" title="Share of sampled pixels">
                    {(cov * 100).toFixed(1)}%
                  </span>
                )}
              </div>
            </div>
            {canWrite && (
              <div className="pv-sw__tools">
                <button
                  type="button"
                  className="btn btn--sm btn--ghost"
                  aria-pressed={isBg}
                  disabled={busy}
                  onClick={() =>
                    onPatch({ background: isBg ? null : i }, isBg ? 'Background cleared' : `Swatch ${label} is the background`)
                  }
                  aria-label={isBg ? `Swatch ${label} is the background: clear` : `Use swatch ${label} as the background`}
                  data-testid="swatch-background"
                >
                  {isBg ? 'Unset bg' : 'Set bg'}
                </button>
                <button
                  type="button"
                  className="btn btn--sm btn--danger-ghost btn--icon"
                  disabled={busy || p.colors.length <= 1}
                  title={p.colors.length <= 1 ? 'A palette keeps at least one colour' : undefined}
                  onClick={() =>
                    onPatch(
                      removeSwatch({ colors: p.colors, labels, background: p.background }, i),
                      `Deleted swatch ${label} (${hex})`,
                    )
                  }
                  aria-label={`Delete swatch ${label} (${hex})`}
                  data-testid="swatch-delete"
                >
                  ×
                </button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
