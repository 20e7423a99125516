// A workspace's audit log for its owner and admins (GET .../audit): newest first, filtered by
// action, member and a date range (local days), paged by next_cursor.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage, type AuditEntry, type Workspace } from '../api';
import { workspaces, type AuditFilter, type Member } from '../api-workspace';
import { Spinner } from '../components/Spinner';
import { dateTime } from '../format';
import { actionLabel, AUDIT_ACTIONS, dayStart } from '../settings-format';
import { Actor } from './AdminAudit';
import { Message, useTitle } from './settings-ui';

function describe(e: AuditEntry): string {
  const d = e.details;
  if (e.action === 'member.role_changed' && d.from && d.to) return `${String(d.from)} → ${String(d.to)}`;
  return Object.entries(d)
    .filter(([k]) => k !== 'expires_at')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

export function WorkspaceAuditPage({ workspace }: { workspace: Workspace }) {
  useTitle(`Audit log · ${workspace.name}`);
  const slug = workspace.slug;
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [filter, setFilter] = useState<AuditFilter>({});
  const [members, setMembers] = useState<Member[]>([]);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const seq = useRef(0);

  useEffect(() => {
    workspaces
      .members(slug)
      .then((r) => setMembers(r.members))
      .catch(() => undefined); // the filter then offers "anyone" only
  }, [slug]);

  async function load(f: AuditFilter, cursor: string | null) {
    const n = ++seq.current;
    setError('');
    if (cursor) setLoadingMore(true);
    else setEntries(null);
    try {
      const page = await workspaces.audit(slug, f, cursor);
      if (n !== seq.current) return;
      setEntries((r) => (cursor && r ? [...r, ...page.entries] : page.entries));
      setNext(page.next_cursor);
    } catch (e) {
      if (n !== seq.current) return;
      setError(errorMessage(e));
      if (!cursor) setEntries([]);
    } finally {
      if (n === seq.current) setLoadingMore(false);
    }
  }

  useEffect(() => {
    void load(filter, null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter, slug]);

  function apply(e: FormEvent) {
    e.preventDefault();
    if (since && until && until < since) {
      setError('The “to” day must not be before the “from” day.');
      return;
    }
    setFilter({ action, actor, since: dayStart(since), until: dayStart(until, 1) });
  }

  return (
    <main className="page settings" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Audit log</h1>
          <p className="page__sub muted">Who did what in {workspace.name}, newest first. Times are in your time zone.</p>
        </div>
      </div>
      <form className="card settings__section settings__inline" onSubmit={apply} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="waudit-action">Action</label>
          <select id="waudit-action" value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-action">
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="waudit-actor">Member</label>
          <select id="waudit-actor" value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">Anyone</option>
            {members.map((m) => (
              <option key={m.user_id} value={String(m.user_id)}>
                {m.name ? `${m.name} (${m.email})` : m.email}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="waudit-since">From</label>
          <input id="waudit-since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="waudit-until">To</label>
          <input id="waudit-until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </div>
        <button type="submit" className="btn btn--primary">
          Filter
        </button>
      </form>
      <div aria-live="polite">
        <Message error={error} testId="waudit" />
      </div>
      {entries === null ? (
        <Spinner label="Loading the audit log…" />
      ) : entries.length === 0 ? (
        !error && (
          <p className="muted" role="status">
            Nothing recorded{filter.action || filter.actor || filter.since || filter.until ? ' that matches' : ''}.
          </p>
        )
      ) : (
        <div className="card table-scroll">
          <table className="settings__table" data-testid="workspace-audit">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="waudit-row" data-action={e.action}>
                  <td className="settings__nowrap">
                    <time dateTime={e.at}>{dateTime(e.at)}</time>
                  </td>
                  <td>
                    <Actor actor={e.actor} />
                  </td>
                  <td>
                    <span className="settings__strong">{actionLabel(e.action)}</span>
                    <div className="muted settings__small">
                      <code>{e.action}</code>
                    </div>
                  </td>
                  <td className="settings__small">{describe(e)}</td>
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
    </main>
  );
}
