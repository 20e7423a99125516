// The platform audit log for operators (GET /api/v1/admin/audit): newest first, filtered by
// action (a name or a prefix ending in ".") and workspace (id or slug), paged by next_cursor.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, isNotFound as isDenied, type AuditEntry } from '../api';
import { Spinner } from '../components/Spinner';
import { dateTime } from '../format';

interface Filter {
  action: string;
  workspace: string;
}

export function Actor({ actor }: { actor: AuditEntry['actor'] }) {
  if (!actor) return <span className="muted">anonymous</span>;
  return (
    <>
      {actor.email ?? <span className="muted">deleted user #{actor.id}</span>}
      {actor.kind !== 'user' && <span className="badge admin-table__kind">{actor.kind}</span>}
    </>
  );
}

function details(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

export function AdminAudit({ onDenied }: { onDenied: () => void }) {
  const [action, setAction] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [filter, setFilter] = useState<Filter>({ action: '', workspace: '' });
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const seq = useRef(0);

  async function load(f: Filter, cursor: string | null) {
    const n = ++seq.current;
    setError('');
    if (cursor) setLoadingMore(true);
    else setEntries(null);
    try {
      const page = await api.admin.audit(f, cursor);
      if (n !== seq.current) return;
      setEntries((r) => (cursor && r ? [...r, ...page.entries] : page.entries));
      setNext(page.next_cursor);
    } catch (e) {
      if (n !== seq.current) return;
      if (isDenied(e)) onDenied();
      else {
        setError(errorMessage(e));
        if (!cursor) setEntries([]);
      }
    } finally {
      if (n === seq.current) setLoadingMore(false);
    }
  }

  useEffect(() => {
    void load(filter, null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter]);

  function apply(e: FormEvent) {
    e.preventDefault();
    setFilter({ action: action.trim(), workspace: workspace.trim() });
  }

  return (
    <>
      <form className="admin__filters" onSubmit={apply}>
        <div className="field admin__grow">
          <label htmlFor="audit-action">Action</label>
          <input
            id="audit-action"
            type="text"
            placeholder="tenant.suspended, or a prefix such as tenant."
            spellCheck={false}
            autoCapitalize="off"
            value={action}
            onChange={(e) => setAction(e.target.value)}
          />
        </div>
        <div className="field admin__grow">
          <label htmlFor="audit-ws">Workspace</label>
          <input
            id="audit-ws"
            type="text"
            placeholder="Slug or id"
            spellCheck={false}
            autoCapitalize="off"
            value={workspace}
            onChange={(e) => setWorkspace(e.target.value)}
          />
        </div>
        <button type="submit" className="btn btn--primary">
          Filter
        </button>
      </form>
      {error && (
        <p className="alert alert--error admin__msg" role="alert" data-testid="audit-error">
          {error}
        </p>
      )}
      {entries === null ? (
        <Spinner label="Loading the audit log…" />
      ) : entries.length === 0 ? (
        !error && <p className="muted admin__msg">No entries.</p>
      ) : (
        <div className="card table-scroll">
          <table className="admin-table" data-testid="audit">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Workspace</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td className="admin-table__nowrap">
                    <time dateTime={e.at}>{dateTime(e.at)}</time>
                  </td>
                  <td>
                    {e.workspace ? (
                      e.workspace.slug ?? <span className="muted">purged #{e.workspace.id}</span>
                    ) : (
                      <span className="muted">–</span>
                    )}
                  </td>
                  <td>
                    <Actor actor={e.actor} />
                  </td>
                  <td>
                    <code>{e.action}</code>
                    {Object.keys(e.details).length > 0 && <div className="muted admin-table__small">{details(e.details)}</div>}
                  </td>
                  <td>
                    <code>{e.target}</code>
                  </td>
                  <td className="admin-table__nowrap">{e.ip}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && entries && entries.length > 0 && (
        <div className="more">
          <button type="button" className="btn" onClick={() => load(filter, next)} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
