// The workspace's plan, what it uses of each limit, and its last 30 days (GET .../usage; owners
// and admins only, as the server enforces).
import { useEffect, useState } from 'react';
import { api, errorMessage, type Usage, type Workspace } from '../api';
import { Spinner } from '../components/Spinner';
import { bytes, count } from '../format';

interface Row {
  label: string;
  used: number;
  limit: number | null;
  show: (n: number) => string;
  hint?: string;
}

function Meter({ row }: { row: Row }) {
  const share = row.limit ? Math.min(1, row.used / row.limit) : 0;
  const full = row.limit !== null && row.used >= row.limit;
  return (
    <tr data-testid={`usage-${row.label.toLowerCase().replace(/[^a-z]+/g, '-')}`}>
      <th scope="row">
        {row.label}
        {row.hint && <div className="muted usage__hint">{row.hint}</div>}
      </th>
      <td className="usage__num">
        {row.show(row.used)} <span className="muted">/ {row.limit === null ? 'unlimited' : row.show(row.limit)}</span>
      </td>
      <td className="usage__bar-cell">
        {row.limit !== null && (
          <div
            className={`usage__bar${full ? ' usage__bar--full' : ''}`}
            role="meter"
            aria-label={row.label}
            aria-valuemin={0}
            aria-valuemax={row.limit}
            aria-valuenow={row.used}
          >
            <span style={{ width: `${Math.round(share * 100)}%` }} />
          </div>
        )}
      </td>
    </tr>
  );
}

export function UsagePage({ workspace }: { workspace: Workspace }) {
  const [usage, setUsage] = useState<Usage | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    document.title = `Usage · ${workspace.name} · Palette Maker`;
  }, [workspace.name]);

  useEffect(() => {
    let live = true;
    setUsage(null);
    setError('');
    api
      .usage(workspace.slug)
      .then((u) => live && setUsage(u))
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [workspace.slug]);

  if (error) {
    return (
      <main className="page" id="main">
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      </main>
    );
  }
  if (!usage) {
    return (
      <main className="page" id="main">
        <Spinner />
      </main>
    );
  }

  const l = usage.plan.limits;
  const u = usage.usage;
  const rows: Row[] = [
    { label: 'Members', used: u.members + u.pending_invitations, limit: l.members, show: count,
      hint: u.pending_invitations ? `${u.members} members and ${u.pending_invitations} pending invitations` : undefined },
    { label: 'Palettes', used: u.palettes, limit: l.palettes, show: count },
    { label: 'Stored images', used: u.storage_bytes, limit: l.storage_bytes, show: bytes },
    { label: 'Region detections today', used: u.detections_today, limit: l.detections_per_day, show: count,
      hint: 'Counted per UTC day.' },
    { label: 'API requests this minute', used: u.requests_this_minute, limit: l.requests_per_minute, show: count },
  ];
  const peak = Math.max(1, ...usage.days.map((d) => d.requests));

  return (
    <main className="page" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Usage</h1>
          <p className="muted page__sub">
            Plan <strong data-testid="usage-plan">{usage.plan.name}</strong>. Uploads up to {bytes(l.upload_bytes)} and{' '}
            {(l.image_pixels / 1e6).toLocaleString('en')} megapixels each.
          </p>
        </div>
      </div>
      <section className="card usage">
        <table className="usage__table">
          <tbody>
            {rows.map((r) => (
              <Meter key={r.label} row={r} />
            ))}
          </tbody>
        </table>
      </section>
      <h2 className="section-title">Last 30 days (UTC)</h2>
      <section className="card usage">
        <table className="usage__table usage__days">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Uploads</th>
              <th scope="col">Uploaded</th>
              <th scope="col">Extractions</th>
              <th scope="col">Detections</th>
              <th scope="col">Requests</th>
            </tr>
          </thead>
          <tbody>
            {[...usage.days].reverse().map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <td className="usage__num">{count(d.uploads)}</td>
                <td className="usage__num">{bytes(d.upload_bytes)}</td>
                <td className="usage__num">{count(d.extractions)}</td>
                <td className="usage__num">{count(d.detections)}</td>
                <td className="usage__num">
                  <span className="usage__spark" style={{ width: `${Math.round((d.requests / peak) * 60)}px` }} aria-hidden="true" />
                  {count(d.requests)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
