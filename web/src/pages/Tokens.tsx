// API tokens of a workspace (GET/POST/DELETE .../tokens): one's own, or everyone's for admins
// and the owner. A new token is shown once; the server keeps only its hash.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { errorMessage, type Workspace } from '../api';
import { workspaces, type ApiToken } from '../api-workspace';
import { Spinner } from '../components/Spinner';
import { dateTime } from '../format';
import { ConfirmBar, Message, OnceBox, Section, useTitle, type Confirmation } from './settings-ui';

export function TokensPage({ workspace }: { workspace: Workspace }) {
  useTitle(`API tokens · ${workspace.name}`);
  const slug = workspace.slug;
  const viewer = workspace.role === 'viewer';
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState('');
  const [ok, setOk] = useState('');
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'write'>('read');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTokens((await workspaces.tokens(slug)).tokens);
    } catch (err) {
      setError(errorMessage(err));
      setTokens((t) => t ?? []);
    }
  }, [slug]);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setFormError('');
    setCreated(null);
    if (!name.trim()) {
      setFormError('Give the token a name, so you know later what uses it.');
      return;
    }
    const n = days.trim() === '' ? undefined : Number(days);
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 3650)) {
      setFormError('Expiry must be a whole number of days from 1 to 3650, or empty for never.');
      return;
    }
    setBusy(true);
    try {
      const r = await workspaces.createToken(slug, name.trim(), scope, n);
      setCreated(r.token);
      setName('');
      await load();
    } catch (err) {
      setFormError(errorMessage(err));
    }
    setBusy(false);
  }

  return (
    <main className="page settings" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">API tokens</h1>
          <p className="page__sub muted">
            For scripts and tools: send <code>Authorization: Bearer pm_…</code> to this workspace’s palette API.
          </p>
        </div>
      </div>
      <ConfirmBar confirm={confirm} onClose={() => setConfirm(null)} />

      <Section title="New token" id="tokens-new">
        {/* noValidate: the checks below say what is wrong in words, for every browser alike. */}
        <form className="settings__inline" onSubmit={create} noValidate>
          <div className="field settings__grow">
            <label htmlFor="token-name">Name</label>
            <input id="token-name" type="text" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} data-testid="token-name" placeholder="e.g. build script" />
          </div>
          <div className="field">
            <label htmlFor="token-scope">Access</label>
            <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as 'read' | 'write')} data-testid="token-scope">
              <option value="read">Read only</option>
              {!viewer && <option value="write">Read and write</option>}
            </select>
          </div>
          <div className="field settings__days">
            <label htmlFor="token-days">Expires after (days)</label>
            <input
              id="token-days"
              type="number"
              min={1}
              max={3650}
              value={days}
              onChange={(e) => setDays(e.target.value)}
              aria-describedby="token-days-hint"
              data-testid="token-days"
            />
          </div>
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="token-create">
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </form>
        <p id="token-days-hint" className="hint">
          Leave the days empty for a token that never expires.
        </p>
        <Message error={formError} testId="token-form" />
        {created?.token && (
          <OnceBox
            label={`Token “${created.name}”`}
            value={created.token}
            testId="token-value"
            warning="Copy it now: it is shown only once. Anyone with it can use this workspace with your access, so keep it secret."
          />
        )}
      </Section>

      <Section title="Tokens" id="tokens-list">
        <div aria-live="polite">
          <Message error={error} ok={ok} testId="tokens" />
        </div>
        {tokens === null ? (
          <Spinner label="Loading tokens…" />
        ) : tokens.length === 0 ? (
          <p className="muted" data-testid="tokens-empty">
            No tokens yet.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="settings__table" data-testid="tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Access</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id} data-testid="token-row" data-name={t.name}>
                    <td>
                      <div className="settings__strong">{t.name}</div>
                      <div className="muted settings__small">{t.user.email}</div>
                    </td>
                    <td>{t.scope === 'write' ? 'Read and write' : 'Read only'}</td>
                    <td className="settings__nowrap">{dateTime(t.created_at)}</td>
                    <td className="settings__nowrap">{t.expires_at ? dateTime(t.expires_at) : 'Never'}</td>
                    <td className="settings__nowrap">{t.last_used_at ? dateTime(t.last_used_at) : <span className="muted">Not yet</span>}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn--sm btn--danger-ghost"
                        data-testid="token-revoke"
                        onClick={() =>
                          setConfirm({
                            title: `Revoke “${t.name}”?`,
                            description: 'Anything using this token stops working at once. This cannot be undone.',
                            action: 'Revoke token',
                            run: async () => {
                              setError('');
                              setOk('');
                              try {
                                await workspaces.revokeToken(slug, t.id);
                                setOk(`The token “${t.name}” was revoked.`);
                                if (created?.id === t.id) setCreated(null);
                              } catch (err) {
                                setError(errorMessage(err));
                              }
                              await load();
                            },
                          })
                        }
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </main>
  );
}
