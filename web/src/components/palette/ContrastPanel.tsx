// WCAG contrast between any two swatches: the ratio, AA/AAA for normal and large text, and a
// sample of the text.
import { useEffect, useState } from 'react';
import { contrastRatio, wcagGrades } from '../../color';
import { defaultPair, formatRatio } from '../../palette/contrast';

interface Props {
  colors: string[];
  labels: string[];
  background: number | null;
}

export function ContrastPanel({ colors, labels, background }: Props) {
  const [pair, setPair] = useState<[number, number]>(() => defaultPair(colors, background));
  // A new set of colours (regenerate, delete) or background: start again from the default.
  const key = colors.join() + '|' + background;
  useEffect(() => setPair(defaultPair(colors, background)), [key]);

  if (colors.length === 0) return null;
  const [fg, bg] = pair.map((i) => Math.min(i, colors.length - 1));
  const ratio = contrastRatio(colors[fg], colors[bg]) ?? 1;
  const g = wcagGrades(ratio);
  const badges: [string, boolean][] = [
    ['AA normal', g.aa],
    ['AAA normal', g.aaa],
    ['AA large', g.aaLarge],
    ['AAA large', g.aaaLarge],
  ];
  const option = (hex: string, i: number) => (
    <option key={i} value={i}>
      {labels[i] ?? i + 1} · {hex}
    </option>
  );
  return (
    <section className="pv-panel card" aria-labelledby="contrast-title">
      <h2 id="contrast-title" className="section-title">
        Contrast
      </h2>
      <div className="pv-contrast__pick">
        <div className="field">
          <label htmlFor="pv-fg">Text</label>
          <select id="pv-fg" value={fg} onChange={(e) => setPair([Number(e.target.value), bg])} data-testid="contrast-fg">
            {colors.map(option)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="pv-bg">Background</label>
          <select id="pv-bg" value={bg} onChange={(e) => setPair([fg, Number(e.target.value)])} data-testid="contrast-bg">
            {colors.map(option)}
          </select>
        </div>
      </div>
      <div className="pv-contrast__sample" style={{ color: colors[fg], background: colors[bg] }} data-testid="contrast-sample">
        <span className="pv-contrast__big">Large text 24px</span>
        <span>The quick brown fox jumps over the lazy dog.</span>
      </div>
      <p className="pv-contrast__ratio" aria-live="polite">
        <span className="visually-hidden">Contrast ratio </span>
        <strong data-testid="contrast-ratio">{formatRatio(ratio)}</strong>
      </p>
      <ul className="pv-badges" aria-label="WCAG 2 levels">
        {badges.map(([name, pass]) => (
          <li
            key={name}
            className={'pv-badge ' + (pass ? 'pv-badge--pass' : 'pv-badge--fail')}
            data-testid="contrast-badge"
            data-pass={pass ? 'true' : 'false'}
          >
            {name}: {pass ? 'pass' : 'fail'}
          </li>
        ))}
      </ul>
    </section>
  );
}
