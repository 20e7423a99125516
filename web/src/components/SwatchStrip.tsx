// A row of colour bars; presentational (the palette view has the interactive swatches).
export function SwatchStrip({ colors, className }: { colors: string[]; className?: string }) {
  return (
    <div className={'strip ' + (className ?? '')} aria-hidden="true">
      {colors.map((c, i) => (
        <span key={i} className="strip__cell" style={{ background: c }} />
      ))}
    </div>
  );
}
