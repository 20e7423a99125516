// Region detection (strategy, its parameters, a template box for template_match), the list of
// regions with their average colours, removal, and matching each region to its nearest swatch.
import { useMemo, useState, type FormEvent } from 'react';
import type { FullPalette, RegionRequest, TemplateBox } from '../../api-palette';
import { checkBox, regionLabel } from '../../palette/geometry';
import { nearestColor } from '../../palette/lab';
import { findStrategy, paramsOf, parseParams, STRATEGIES, stepOf } from '../../palette/strategies';

interface Props {
  palette: FullPalette;
  canWrite: boolean;
  busy: boolean;
  hot: number | null;
  onHot: (i: number | null) => void;
  matchOn: boolean;
  onMatch: (on: boolean) => void;
  drawing: boolean;
  onDraw: (on: boolean) => void;
  box: TemplateBox | null;
  onBox: (box: TemplateBox | null) => void;
  /** Resolves to an error message to show, or null. */
  onDetect: (req: RegionRequest) => Promise<string | null>;
  onRemove: (i: number) => void;
  onClear: () => void;
}

export function RegionPanel(props: Props) {
  const { palette: p, canWrite, busy, hot, onHot, matchOn, drawing, box } = props;
  const [strategy, setStrategy] = useState('default');
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [boxError, setBoxError] = useState('');
  const [serverError, setServerError] = useState('');
  const size = { width: p.image?.width ?? 0, height: p.image?.height ?? 0 };
  const isTemplate = strategy === 'template_match';

  const matches = useMemo(
    () => p.region_colors.map((rc) => (rc?.average ? nearestColor(rc.average, p.colors) : null)),
    [p.region_colors, p.colors],
  );

  async function detect(e: FormEvent) {
    e.preventDefault();
    setBoxError('');
    setServerError('');
    const parsed = parseParams(strategy, typed);
    if ('errors' in parsed) {
      setFieldErrors(parsed.errors);
      return;
    }
    setFieldErrors({});
    const req: RegionRequest = { strategy };
    if (Object.keys(parsed.params).length) req.params = parsed.params;
    if (isTemplate) {
      if (!box) {
        setBoxError('Draw a box around one object on the image first (or type its position), then detect.');
        return;
      }
      const checked = checkBox(box, size);
      if (typeof checked === 'string') {
        setBoxError(checked);
        return;
      }
      req.template_box = checked;
    }
    setServerError((await props.onDetect(req)) ?? '');
  }

  function setBoxField(field: keyof TemplateBox, value: string) {
    const base = box ?? { x: 0, y: 0, width: Math.min(32, size.width), height: Math.min(32, size.height) };
    const n = value.trim() === '' ? NaN : Number(value);
    props.onBox({ ...base, [field]: n });
  }

  const specs = paramsOf(strategy);
  return (
    <section className="pv-panel card" aria-labelledby="regions-title">
      <div className="pv-panel__head">
        <h2 id="regions-title" className="section-title">
          Regions <span className="muted">({p.regions.length})</span>
        </h2>
        {p.regions.length > 0 && (
          <label className="pv-check">
            <input
              type="checkbox"
              checked={matchOn}
              onChange={(e) => props.onMatch(e.target.checked)}
              data-testid="match-swatches"
            />
            Match palette swatches
          </label>
        )}
      </div>

      {canWrite && (
        <form className="pv-detect" onSubmit={detect} aria-label="Detect regions" noValidate>
          <div className="field">
            <label htmlFor="pv-strategy">Strategy</label>
            <select
              id="pv-strategy"
              value={strategy}
              data-testid="region-strategy"
              onChange={(e) => {
                setStrategy(e.target.value);
                setFieldErrors({});
                setBoxError('');
                if (e.target.value !== 'template_match') {
                  props.onDraw(false);
                  props.onBox(null); // the box belongs to template_match only
                }
              }}
            >
              {STRATEGIES.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <details className="pv-params">
            <summary>Parameters of “{findStrategy(strategy).label}”</summary>
            <div className="pv-params__grid">
              {specs.map((s) => {
                const id = `pv-param-${s.name}`;
                const err = fieldErrors[s.name];
                return (
                  <div className="pv-param" key={s.name}>
                    <label htmlFor={id}>{s.label}</label>
                    <input
                      id={id}
                      type="number"
                      inputMode="decimal"
                      min={s.min}
                      max={s.max}
                      step={stepOf(s)}
                      placeholder={String(s.value)}
                      value={typed[s.name] ?? ''}
                      onChange={(e) => setTyped({ ...typed, [s.name]: e.target.value })}
                      aria-invalid={err ? true : undefined}
                      aria-describedby={`${id}-help`}
                      data-testid={`param-${s.name}`}
                    />
                    <span id={`${id}-help`} className={err ? 'pv-param__err' : 'hint'}>
                      {err ?? `${s.help}; ${s.min}–${s.max}, default ${s.value}`}
                    </span>
                  </div>
                );
              })}
            </div>
          </details>

          {isTemplate && (
            <fieldset className="pv-box-fields">
              <legend>Template box (image pixels)</legend>
              <button
                type="button"
                className="btn btn--sm"
                aria-pressed={drawing}
                onClick={() => props.onDraw(!drawing)}
                data-testid="draw-box"
              >
                {drawing ? 'Drawing… (Esc to stop)' : 'Draw on image'}
              </button>
              {(['x', 'y', 'width', 'height'] as const).map((f) => (
                <label key={f} className="pv-box-fields__f">
                  <span>{f === 'width' ? 'w' : f === 'height' ? 'h' : f}</span>
                  <input
                    type="number"
                    min={0}
                    step={1}
                    value={box && Number.isFinite(box[f]) ? box[f] : ''}
                    onChange={(e) => setBoxField(f, e.target.value)}
                    aria-label={`Template box ${f}`}
                    data-testid={`box-${f}`}
                  />
                </label>
              ))}
              {box && (
                <button type="button" className="btn btn--sm btn--ghost" onClick={() => props.onBox(null)}>
                  Clear box
                </button>
              )}
            </fieldset>
          )}
          {boxError && (
            <p className="alert alert--error" role="alert" data-testid="box-error">
              {boxError}
            </p>
          )}
          {serverError && (
            <p className="alert alert--error" role="alert" data-testid="detect-error">
              {serverError}
            </p>
          )}
          {Object.keys(fieldErrors).length > 0 && (
            <p className="alert alert--error" role="alert">
              Some parameters are out of range: see the fields above.
            </p>
          )}
          <div className="pv-detect__actions">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="detect-regions">
              {busy ? 'Detecting…' : 'Detect regions'}
            </button>
            {p.regions.length > 0 && (
              <button
                type="button"
                className="btn btn--danger-ghost"
                disabled={busy}
                onClick={props.onClear}
                data-testid="clear-regions"
              >
                Clear all
              </button>
            )}
          </div>
        </form>
      )}

      {p.regions.length === 0 ? (
        <p className="muted pv-panel__empty">No regions yet.{canWrite ? ' Pick a strategy and detect them.' : ''}</p>
      ) : (
        <ul className="pv-regions" aria-label="Regions">
          {p.regions.map((_, i) => {
            const label = p.region_labels[i] ?? regionLabel(i);
            const rc = p.region_colors[i];
            const m = matches[i];
            const isHot = hot === i;
            return (
              <li
                key={i}
                className={'pv-ri' + (isHot ? ' pv-ri--hot' : '')}
                data-testid="region-item"
                data-hot={isHot ? 'true' : undefined}
                onPointerEnter={() => onHot(i)}
                onPointerLeave={() => onHot(null)}
                onFocus={() => onHot(i)}
                onBlur={() => onHot(null)}
                tabIndex={canWrite ? undefined : 0}
              >
                <span className="pv-ri__label">{label}</span>
                <span className="pv-ri__chip" style={{ background: rc?.average ?? 'transparent' }} aria-hidden="true" />
                <span className="pv-ri__hex">{rc?.average ?? 'no opaque pixels'}</span>
                {matchOn && (
                  <span className="pv-ri__match" data-testid="region-match">
                    {m ? (
                      <>
                        <span aria-hidden="true">→</span>
                        <span className="pv-ri__chip" style={{ background: p.colors[m.index] }} aria-hidden="true" />
                        {p.labels[m.index] ?? m.index + 1} {p.colors[m.index]}
                        <span className="muted"> ΔE {m.deltaE.toFixed(1)}</span>
                      </>
                    ) : (
                      <span className="muted">no match</span>
                    )}
                  </span>
                )}
                {canWrite && (
                  <button
                    type="button"
                    className="btn btn--sm btn--ghost btn--icon pv-ri__rm"
                    onClick={() => props.onRemove(i)}
                    disabled={busy}
                    aria-label={`Remove region ${label}`}
                    data-testid="region-remove"
                  >
                    ×
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** For the swatch list: the swatch matched to the hovered region, when matching is on. */
export function matchedSwatch(p: FullPalette, region: number | null): number | null {
  if (region === null) return null;
  const avg = p.region_colors[region]?.average;
  return avg ? (nearestColor(avg, p.colors)?.index ?? null) : null;
}
