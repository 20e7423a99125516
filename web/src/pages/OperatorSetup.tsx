// The operator setup link (/setup?token=...): printed by the server on first start or by
// `palettemaker admin create`. Creates the operator account, or promotes an existing account
// (its password is then that account's), and signs in. Errors are the server's `error.message`.
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage, type Me } from '../api';
import { Spinner } from '../components/Spinner';

interface Props {
  onAuthenticated: (me: Me) => void;
}

export function OperatorSetupPage({ onAuthenticated }: Props) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const [checked, setChecked] = useState<{ valid: boolean; email: string | null } | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Operator set-up · Palette Maker';
    let live = true;
    api
      .operatorSetupInfo(token)
      .then((info) => {
        if (!live) return;
        setChecked(info);
        if (info.email) setEmail(info.email);
      })
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [token]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onAuthenticated(await api.operatorSetup(token, email, password, name.trim() || undefined));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <div className="auth">
      <main className="auth__card card">
        <h1 className="auth__title">Become an operator</h1>
        {!checked && !error && <Spinner />}
        {checked && !checked.valid && (
          <p className="alert alert--error" role="alert" data-testid="setup-invalid">
            This setup link is invalid, expired or already used. Ask for a new one (palettemaker admin create --email ...).
          </p>
        )}
        {checked && checked.valid && (
          <>
            <p className="muted auth__lead">
              Operators administer every workspace of this server. If the e-mail address already has an account,
              enter that account's password.
            </p>
            <form onSubmit={submit} className="form">
              <div className="field">
                <label htmlFor="setup-name">
                  Name <span className="muted">(optional)</span>
                </label>
                <input id="setup-name" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="setup-email">E-mail</label>
                <input
                  id="setup-email"
                  type="email"
                  autoComplete="email"
                  required
                  maxLength={254}
                  readOnly={Boolean(checked.email)}
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="setup-password">Password</label>
                <input
                  id="setup-password"
                  type="password"
                  autoComplete="new-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </div>
              {error && (
                <p className="alert alert--error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
                {busy ? 'Setting up…' : 'Create operator'}
              </button>
            </form>
          </>
        )}
        {!checked && error && (
          <p className="alert alert--error" role="alert">
            {error}
          </p>
        )}
      </main>
    </div>
  );
}
