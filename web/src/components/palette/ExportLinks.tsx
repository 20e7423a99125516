// One download link per export format; the session cookie authorises a plain GET.
import { EXPORT_FORMATS, exportHref } from '../../api-palette';

export function ExportLinks({ slug, id }: { slug: string; id: number }) {
  return (
    <section className="pv-panel card" aria-labelledby="export-title">
      <h2 id="export-title" className="section-title">
        Export
      </h2>
      <ul className="pv-exports">
        {EXPORT_FORMATS.map((f) => (
          <li key={f.format}>
            <a className="btn btn--sm" href={exportHref(slug, id, f.format)} download data-testid={`export-${f.format}`}>
              <span className="pv-exports__fmt">{f.format.toUpperCase()}</span>
              <span className="muted">{f.label}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
