// The operators' area (/admin): every workspace with its counts, plan, suspension and soft
// deletion; provisioning a workspace for someone; the platform audit log (AdminAudit.tsx).
// Who is an operator is the server's call: the admin API answers 404 to everyone else, and
// that 404 is what turns this page into "This area is for platform operators."
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, errorMessage, isNotFound as isDenied, type Provisioned, type Tenant } from '../api';
import { Link } from '../router';
import { Spinner } from '../components/Spinner';
import { useToast } from '../components/Toast';
import { formatDate } from '../color';
import { bytes, copyText, count, dateTime } from '../format';
import { AdminAudit } from './AdminAudit';

type Tab = 'workspaces' | 'audit';
const TABS: { id: Tab; label: string }[] = [
  { id: 'workspaces', label: 'Workspaces' },
  { id: 'audit', label: 'Audit log' },
];

export function AdminPage() {
  const [tab, setTab] = useState<Tab>(() =>
    new URLSearchParams(location.search).get('tab') === 'audit' ? 'audit' : 'workspaces',
  );
  // The audit panel loads on first view and then stays mounted, keeping its filters and pages.
  const [auditSeen, setAuditSeen] = useState(tab === 'audit');
  const [denied, setDenied] = useState(false);
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ workspaces: null, audit: null });

  useEffect(() => {
    document.title = 'Admin · Palette Maker';
  }, []);

  function select(t: Tab, focus = false) {
    setTab(t);
    if (t === 'audit') setAuditSeen(true);
    history.replaceState(null, '', t === 'audit' ? '/admin?tab=audit' : '/admin');
    if (focus) tabRefs.current[t]?.focus();
  }

  // WAI-ARIA tabs: arrow keys move between tabs, Tab moves into the panel.
  function onTabKey(e: KeyboardEvent<HTMLButtonElement>) {
    const i = TABS.findIndex((t) => t.id === tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      select(TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length].id, true);
    }
  }

  if (denied) {
    return (
      <main className="page" id="main">
        <div className="empty" data-testid="admin-denied">
          <h1>Admin</h1>
          <p className="muted">This area is for platform operators.</p>
          <Link href="/">Go to your palettes</Link>
        </div>
      </main>
    );
  }

  const onDenied = () => setDenied(true);
  return (
    <main className="page" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Admin</h1>
          <p className="muted page__sub">Every workspace of this server. Operators see counts, never palettes or images.</p>
        </div>
      </div>
      <div className="segmented admin__tabs" role="tablist" aria-label="Admin sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`admin-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`admin-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="segmented__btn"
            onClick={() => select(t.id)}
            onKeyDown={onTabKey}
            data-testid={`admin-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id="admin-panel-workspaces" aria-labelledby="admin-tab-workspaces" hidden={tab !== 'workspaces'}>
        <Tenants onDenied={onDenied} />
      </section>
      <section role="tabpanel" id="admin-panel-audit" aria-labelledby="admin-tab-audit" hidden={tab !== 'audit'}>
        {auditSeen && <AdminAudit onDenied={onDenied} />}
      </section>
    </main>
  );
}

interface Filter {
  q: string;
  status: string;
}

/** Whether `t` belongs in a list filtered by `f` (the server's rule: substring, any case). */
function matches(t: Tenant, f: Filter): boolean {
  if (f.status && f.status !== t.status) return false;
  const q = f.q.toLowerCase();
  return !q || [t.slug, t.name, t.owner?.email ?? ''].some((s) => s.toLowerCase().includes(q));
}

function Tenants({ onDenied }: { onDenied: () => void }) {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [filter, setFilter] = useState<Filter>({ q: '', status: '' });
  const [rows, setRows] = useState<Tenant[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const seq = useRef(0);

  async function load(f: Filter, cursor: string | null) {
    const n = ++seq.current;
    setError('');
    if (cursor) setLoadingMore(true);
    else setRows(null);
    try {
      const page = await api.admin.tenants(f, cursor);
      if (n !== seq.current) return;
      setRows((r) => (cursor && r ? [...r, ...page.tenants.filter((t) => !r.some((x) => x.id === t.id))] : page.tenants));
      setNext(page.next_cursor);
    } catch (e) {
      if (n !== seq.current) return;
      if (isDenied(e)) onDenied();
      else {
        setError(errorMessage(e));
        if (!cursor) setRows([]);
      }
    } finally {
      if (n === seq.current) setLoadingMore(false);
    }
  }

  useEffect(() => {
    void load(filter, null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter]);

  function search(e: FormEvent) {
    e.preventDefault();
    setFilter({ q: q.trim(), status });
  }

  const update = (t: Tenant) => setRows((r) => r && r.map((x) => (x.id === t.id ? t : x)));
  const provisioned = (t: Tenant) =>
    // The list is by id, so a new workspace belongs at the end: add it when the end is loaded.
    setRows((r) => (r && next === null && matches(t, filter) && !r.some((x) => x.id === t.id) ? [...r, t] : r));

  return (
    <>
      <form className="admin__filters" onSubmit={search} role="search">
        <div className="field admin__grow">
          <label htmlFor="admin-q">Search workspaces</label>
          <input
            id="admin-q"
            type="text"
            placeholder="Slug, name or owner e-mail"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            maxLength={200}
            data-testid="admin-search"
          />
        </div>
        <div className="field">
          <label htmlFor="admin-status">Status</label>
          <select
            id="admin-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setFilter({ q: q.trim(), status: e.target.value });
            }}
          >
            <option value="">All</option>
            <option value="active">Active</option>
            <option value="suspended">Suspended</option>
            <option value="deleted">Deleted</option>
          </select>
        </div>
        <button type="submit" className="btn btn--primary">
          Search
        </button>
      </form>
      {error && (
        <p className="alert alert--error admin__msg" role="alert" data-testid="admin-error">
          {error}
        </p>
      )}
      {rows === null ? (
        <Spinner label="Loading workspaces…" />
      ) : rows.length === 0 ? (
        !error && <p className="muted admin__msg">No workspace matches.</p>
      ) : (
        <div className="card table-scroll">
          <table className="admin-table" data-testid="tenants">
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col">Owner</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Members</th>
                <th scope="col" className="num">Palettes</th>
                <th scope="col" className="num">Storage</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            {rows.map((t) => (
              <TenantRow key={t.id} tenant={t} onChange={update} />
            ))}
          </table>
        </div>
      )}
      {next && rows && rows.length > 0 && (
        <div className="more">
          <button type="button" className="btn" onClick={() => load(filter, next)} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
      <Provision onCreated={provisioned} />
    </>
  );
}

const COLS = 9;

/** One workspace: a <tbody> of its row plus, when needed, a row for a confirmation or message. */
function TenantRow({ tenant: t, onChange }: { tenant: Tenant; onChange: (t: Tenant) => void }) {
  const [plan, setPlan] = useState(t.plan);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [confirming, setConfirming] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);

  useEffect(() => setPlan(t.plan), [t.plan]);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);

  async function run(label: string, call: () => Promise<{ tenant: Tenant }>, done?: (t: Tenant) => string) {
    setBusy(label);
    setError('');
    setNotice('');
    try {
      const { tenant } = await call();
      onChange(tenant);
      if (done) setNotice(done(tenant));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy('');
    }
  }

  function savePlan(e: FormEvent) {
    e.preventDefault();
    void run('plan', () => api.admin.setPlan(t.id, plan.trim()), (n) => `Plan changed to ${n.plan || 'the default plan'}.`);
  }

  function closeConfirm() {
    setConfirming(false);
    deleteRef.current?.focus();
  }

  const planId = `plan-${t.id}`;
  const cleanPlan = plan.trim();
  return (
    <tbody data-testid="tenant-row" data-slug={t.slug} data-status={t.status} data-plan={t.plan}>
      <tr>
        <th scope="row" className="admin-table__ws">
          <span className="admin-table__name">{t.name}</span>
          <code className="muted">{t.slug}</code>
          {t.personal && <span className="badge">personal</span>}
        </th>
        <td>{t.owner ? t.owner.email : <span className="muted">none</span>}</td>
        <td>
          <form className="admin-plan" onSubmit={savePlan}>
            <label htmlFor={planId} className="visually-hidden">
              Plan of {t.slug}
            </label>
            <input
              id={planId}
              type="text"
              value={plan}
              placeholder="default"
              onChange={(e) => setPlan(e.target.value)}
              maxLength={40}
              spellCheck={false}
              autoCapitalize="off"
              data-testid="tenant-plan"
            />
            <button type="submit" className="btn btn--sm" disabled={Boolean(busy) || !cleanPlan || cleanPlan === t.plan}>
              {busy === 'plan' ? 'Saving…' : 'Save'}
            </button>
          </form>
        </td>
        <td>
          <span className={`badge badge--${t.status}`} data-testid="tenant-status">
            {t.status}
          </span>
          {t.status === 'deleted' && t.purge_after && (
            <div className="muted admin-table__small" title={dateTime(t.purge_after)}>
              purge after {formatDate(t.purge_after)}
            </div>
          )}
        </td>
        <td className="num">{count(t.members)}</td>
        <td className="num">{count(t.palettes)}</td>
        <td className="num">{bytes(t.storage_bytes)}</td>
        <td className="admin-table__nowrap">
          <time dateTime={t.created_at}>{formatDate(t.created_at)}</time>
        </td>
        <td>
          <div className="admin-actions">
            {t.status === 'active' && (
              <button type="button" className="btn btn--sm" disabled={Boolean(busy)} onClick={() => run('suspend', () => api.admin.act(t.id, 'suspend'))}>
                {busy === 'suspend' ? 'Suspending…' : 'Suspend'}
              </button>
            )}
            {t.status === 'suspended' && (
              <button type="button" className="btn btn--sm" disabled={Boolean(busy)} onClick={() => run('reactivate', () => api.admin.act(t.id, 'reactivate'))}>
                {busy === 'reactivate' ? 'Reactivating…' : 'Reactivate'}
              </button>
            )}
            {t.status === 'deleted' ? (
              <button type="button" className="btn btn--sm" disabled={Boolean(busy)} onClick={() => run('restore', () => api.admin.act(t.id, 'restore'), () => 'Restored.')}>
                {busy === 'restore' ? 'Restoring…' : 'Restore'}
              </button>
            ) : (
              <button
                ref={deleteRef}
                type="button"
                className="btn btn--sm btn--danger-ghost"
                disabled={Boolean(busy) || confirming}
                onClick={() => setConfirming(true)}
              >
                Delete
              </button>
            )}
          </div>
        </td>
      </tr>
      {(confirming || error || notice) && (
        <tr className="admin-table__sub">
          <td colSpan={COLS}>
            {/* Sticky, so that at phone width it stays in view while the table scrolls sideways. */}
            <div className="admin-table__subinner">
              {confirming && (
                <div
                  className="confirm admin-confirm"
                  role="alertdialog"
                  aria-labelledby={`del-title-${t.id}`}
                  aria-describedby={`del-desc-${t.id}`}
                  onKeyDown={(e) => e.key === 'Escape' && closeConfirm()}
                >
                  <div>
                    <p className="confirm__title" id={`del-title-${t.id}`}>
                      Delete the workspace “{t.name}” ({t.slug})?
                    </p>
                    <p className="muted" id={`del-desc-${t.id}`}>
                      Its members lose access at once. Operators can restore it during the grace period (the server's
                      jobs.delete_grace_days, 30 days unless configured otherwise); after that its palettes and images are
                      purged for good.
                    </p>
                  </div>
                  <div className="confirm__actions">
                    <button ref={cancelRef} type="button" className="btn" onClick={closeConfirm}>
                      Cancel
                    </button>
                    <button
                      type="button"
                      className="btn btn--danger"
                      disabled={Boolean(busy)}
                      onClick={async () => {
                        await run('delete', () => api.admin.remove(t.id), (n) =>
                          n.purge_after ? `Deleted. It will be purged after ${dateTime(n.purge_after)} unless restored.` : 'Deleted.',
                        );
                        setConfirming(false);
                      }}
                    >
                      {busy === 'delete' ? 'Deleting…' : 'Delete workspace'}
                    </button>
                  </div>
                </div>
              )}
              {error && (
                <p className="alert alert--error" role="alert" data-testid="tenant-error">
                  {error}
                </p>
              )}
              {notice && (
                <p className="admin-notice" role="status" data-testid="tenant-notice">
                  {notice}
                </p>
              )}
            </div>
          </td>
        </tr>
      )}
    </tbody>
  );
}

function Provision({ onCreated }: { onCreated: (t: Tenant) => void }) {
  const notify = useToast();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [email, setEmail] = useState('');
  const [ownerName, setOwnerName] = useState('');
  const [plan, setPlan] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [made, setMade] = useState<Provisioned | null>(null);
  const linkRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    setMade(null);
    try {
      const res = await api.admin.provision({
        name: name.trim(),
        owner_email: email.trim(),
        ...(slug.trim() && { slug: slug.trim() }),
        ...(ownerName.trim() && { owner_name: ownerName.trim() }),
        ...(plan.trim() && { plan: plan.trim() }),
      });
      setMade(res);
      onCreated(res.tenant);
      setName('');
      setSlug('');
      setEmail('');
      setOwnerName('');
      setPlan('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function copy(link: string) {
    if (await copyText(link)) notify('Setup link copied');
    else {
      linkRef.current?.select();
      notify('Copy the selected link with Ctrl+C');
    }
  }

  return (
    <section className="card admin-provision" aria-labelledby="provision-title">
      <h2 className="section-title" id="provision-title">
        Provision a workspace
      </h2>
      <p className="muted admin-provision__lead">
        A team workspace owned by the given e-mail address. A new owner gets an account without a password and a link to
        set one.
      </p>
      <form className="admin-provision__form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="prov-name">Workspace name</label>
          <input id="prov-name" type="text" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="prov-slug">
            Slug <span className="muted">(optional)</span>
          </label>
          <input id="prov-slug" type="text" maxLength={63} spellCheck={false} autoCapitalize="off" value={slug} onChange={(e) => setSlug(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="prov-email">Owner e-mail</label>
          <input id="prov-email" type="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="prov-owner">
            Owner name <span className="muted">(optional)</span>
          </label>
          <input id="prov-owner" type="text" maxLength={100} value={ownerName} onChange={(e) => setOwnerName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="prov-plan">
            Plan <span className="muted">(optional)</span>
          </label>
          <input id="prov-plan" type="text" maxLength={40} placeholder="default" spellCheck={false} autoCapitalize="off" value={plan} onChange={(e) => setPlan(e.target.value)} />
        </div>
        <div className="admin-provision__submit">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? 'Provisioning…' : 'Provision workspace'}
          </button>
        </div>
      </form>
      {error && (
        <p className="alert alert--error admin__msg" role="alert" data-testid="provision-error">
          {error}
        </p>
      )}
      {made && (
        <div className="admin-result" data-testid="provision-result" role="status">
          <p>
            Created <strong>{made.tenant.name}</strong> (<code>{made.tenant.slug}</code>, plan{' '}
            {made.tenant.plan || 'default'}) for {made.tenant.owner?.email ?? 'its owner'}
            {made.owner_created ? ', a new account.' : ', an existing account.'}
          </p>
          {made.owner_setup_link ? (
            <>
              <label htmlFor="prov-link" className="admin-result__label">
                Owner's setup link
              </label>
              <div className="admin-result__link">
                <input id="prov-link" ref={linkRef} type="text" readOnly value={made.owner_setup_link} onFocus={(e) => e.target.select()} data-testid="setup-link" />
                <button type="button" className="btn" onClick={() => copy(made.owner_setup_link!)}>
                  Copy
                </button>
              </div>
              <p className="hint">
                This link is shown only once: copy it now and send it to the owner. It lets them set a password and
                expires in 7 days.
              </p>
            </>
          ) : (
            <p className="hint">The owner already has a password: the workspace is in their list when they sign in.</p>
          )}
        </div>
      )}
    </section>
  );
}
