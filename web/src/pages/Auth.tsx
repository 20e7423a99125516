// Sign-up and log-in: one form, two modes. Errors are the server's `error.message`.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, type Me } from '../api';
import { Link } from '../router';
import { ThemeToggle } from '../components/Header';

interface Props {
  mode: 'login' | 'signup';
  onAuthenticated: (me: Me) => void;
}

export function AuthPage({ mode, onAuthenticated }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const signup = mode === 'signup';

  useEffect(() => {
    document.title = signup ? 'Sign up · Palette Maker' : 'Log in · Palette Maker';
    setError('');
    emailRef.current?.focus();
  }, [signup]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = signup ? await api.signup(email, password, name.trim() || undefined) : await api.login(email, password);
      onAuthenticated(me);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <div className="auth">
      <div className="auth__theme">
        <ThemeToggle />
      </div>
      <main className="auth__card card">
        <div className="auth__brand" aria-hidden="true">
          <span style={{ background: '#f97316' }} />
          <span style={{ background: '#facc15' }} />
          <span style={{ background: '#22c55e' }} />
          <span style={{ background: '#3b82f6' }} />
          <span style={{ background: '#a855f7' }} />
        </div>
        <h1 className="auth__title">{signup ? 'Create your account' : 'Log in to Palette Maker'}</h1>
        <p className="muted auth__lead">
          {signup ? 'Turn photos into colour palettes. You get a personal workspace.' : 'Welcome back.'}
        </p>
        <form onSubmit={submit} className="form" noValidate={false}>
          {signup && (
            <div className="field">
              <label htmlFor="auth-name">
                Name <span className="muted">(optional)</span>
              </label>
              <input id="auth-name" name="name" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
            </div>
          )}
          <div className="field">
            <label htmlFor="auth-email">E-mail</label>
            <input
              id="auth-email"
              ref={emailRef}
              name="email"
              type="email"
              autoComplete="email"
              required
              maxLength={254}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="auth-password">Password</label>
            <input
              id="auth-password"
              name="password"
              type="password"
              autoComplete={signup ? 'new-password' : 'current-password'}
              required
              minLength={signup ? 8 : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={signup ? 'auth-password-hint' : undefined}
            />
            {signup && (
              <p id="auth-password-hint" className="hint">
                At least 8 characters.
              </p>
            )}
          </div>
          {error && (
            <p className="alert alert--error" role="alert" data-testid="auth-error">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
            {busy ? (signup ? 'Creating account…' : 'Logging in…') : signup ? 'Sign up' : 'Log in'}
          </button>
        </form>
        <p className="auth__switch muted">
          {signup ? (
            <>
              Already have an account? <Link href="/login">Log in</Link>
            </>
          ) : (
            <>
              New here? <Link href="/signup">Create an account</Link>
            </>
          )}
        </p>
      </main>
    </div>
  );
}
