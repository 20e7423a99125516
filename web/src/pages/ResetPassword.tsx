// The password reset link (/reset?token=...), e-mailed by POST /api/v1/auth/password-reset and
// also the one-time link operators hand to the owner of a provisioned workspace. Sets a new
// password; the server then ends every session of the account, so the way on is to log in.
// Errors are the server's `error.message`.
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api';
import { Link } from '../router';
import { ThemeToggle } from '../components/Header';

const MIN_LENGTH = 8;

export function ResetPasswordPage() {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    document.title = 'Choose a new password · Palette Maker';
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (password !== confirm) {
      setError('The two passwords are not the same.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      await api.confirmPasswordReset(token, password);
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  }

  return (
    <div className="auth">
      <div className="auth__theme">
        <ThemeToggle />
      </div>
      <main className="auth__card card">
        <h1 className="auth__title">Choose a new password</h1>
        {done ? (
          <>
            <p className="alert alert--ok" role="status" data-testid="reset-done">
              Your password has been changed. You were signed out everywhere; log in with the new password.
            </p>
            <p className="auth__switch">
              <Link href="/login" className="btn btn--primary btn--block">
                Log in
              </Link>
            </p>
          </>
        ) : !token ? (
          <p className="alert alert--error" role="alert">
            This reset link is incomplete. Open the link from the e-mail again, or ask for a new one.
          </p>
        ) : (
          <form onSubmit={submit} className="form">
            <p className="muted auth__lead">The link works once. Every session of your account ends when you save.</p>
            <div className="field">
              <label htmlFor="reset-password">New password</label>
              <input
                id="reset-password"
                type="password"
                autoComplete="new-password"
                required
                minLength={MIN_LENGTH}
                autoFocus
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby="reset-password-hint"
              />
              <p id="reset-password-hint" className="hint">
                At least {MIN_LENGTH} characters.
              </p>
            </div>
            <div className="field">
              <label htmlFor="reset-confirm">Confirm new password</label>
              <input
                id="reset-confirm"
                type="password"
                autoComplete="new-password"
                required
                minLength={MIN_LENGTH}
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
              />
            </div>
            {error && (
              <p className="alert alert--error" role="alert" data-testid="reset-error">
                {error}
              </p>
            )}
            <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
              {busy ? 'Saving…' : 'Set new password'}
            </button>
            {error && (
              <p className="auth__switch muted">
                <Link href="/login?forgot=1">Ask for a new link</Link>
              </p>
            )}
          </form>
        )}
      </main>
    </div>
  );
}
