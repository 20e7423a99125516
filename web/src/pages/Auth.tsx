// Sign-up and log-in: one form, two modes. Errors are the server's `error.message`.
// The log-in page also asks for a password reset link ("Forgot your password?"); the sign-up
// page asks GET /api/v1/auth/options first and explains instead of showing a form that the
// server would refuse (`auth.signup` = invite or closed).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type AuthOptions, type Me } from '../api';
import { account } from '../api-account';
import { Link, nextPath } from '../router';
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
  const [forgot, setForgot] = useState(() => new URLSearchParams(location.search).has('forgot'));
  const [options, setOptions] = useState<AuthOptions | null>(null);
  // Log-in with TOTP on: the password was right, the server asks for a code (401 mfa_required).
  const [askCode, setAskCode] = useState(false);

  useEffect(() => {
    document.title = signup ? 'Sign up · Palette Maker' : 'Log in · Palette Maker';
    setError('');
    emailRef.current?.focus();
  }, [signup]);

  useEffect(() => {
    if (!signup) return;
    let live = true;
    // Unknown (an older server, a network error): show the form; the server still decides.
    api
      .authOptions()
      .then((o) => live && setOptions(o))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [signup]);

  const signupBlocked = signup && options !== null && options.signup !== 'open';
  // Keeps `next` (an invitation link) across the switch between log-in and sign-up.
  const next = nextPath();
  const keepNext = next ? `?next=${encodeURIComponent(next)}` : '';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = signup ? await api.signup(email, password, name.trim() || undefined) : await api.login(email, password);
      onAuthenticated(me);
    } catch (err) {
      if (!signup && err instanceof ApiError && err.code === 'mfa_required') {
        setAskCode(true);
        setBusy(false);
        return;
      }
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
        {signupBlocked ? (
          <p className="alert alert--info" data-testid="signup-unavailable">
            {options.signup === 'invite'
              ? 'Sign-up needs an invitation link: ask someone in the workspace you want to join to invite you, then open the link they send.'
              : 'Accounts are created by the operators of this server: ask them for one.'}
          </p>
        ) : !signup && askCode ? (
          <TotpStep
            email={email}
            password={password}
            onAuthenticated={onAuthenticated}
            onBack={() => {
              setAskCode(false);
              setPassword('');
            }}
          />
        ) : !signup && forgot ? (
          <ForgotPassword initialEmail={email} onBack={() => setForgot(false)} />
        ) : (
          <>
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
              {!signup && (
                <button type="button" className="btn btn--ghost btn--sm auth__forgot" onClick={() => setForgot(true)}>
                  Forgot your password?
                </button>
              )}
            </form>
          </>
        )}
        <p className="auth__switch muted">
          {signup ? (
            <>
              Already have an account? <Link href={`/login${keepNext}`}>Log in</Link>
            </>
          ) : (
            <>
              New here? <Link href={`/signup${keepNext}`}>Create an account</Link>
            </>
          )}
        </p>
      </main>
    </div>
  );
}

/**
 * Asks for a reset link. The answer is the same whether or not the account exists (so the
 * form cannot be used to find out who has one); only throttling (429) or a network failure
 * shows an error.
 */
function ForgotPassword({ initialEmail, onBack }: { initialEmail: string; onBack: () => void }) {
  const [email, setEmail] = useState(initialEmail);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.requestPasswordReset(email);
      setSent(true);
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  }

  return (
    <>
      <p className="muted auth__lead">Enter your account's e-mail address and we send you a link to choose a new password.</p>
      {sent ? (
        <p className="alert alert--ok" role="status" data-testid="forgot-sent">
          If an account exists for that address, we sent a link. It works once and expires soon.
        </p>
      ) : (
        <form onSubmit={submit} className="form">
          <div className="field">
            <label htmlFor="forgot-email">E-mail</label>
            <input
              id="forgot-email"
              type="email"
              autoComplete="email"
              required
              autoFocus
              maxLength={254}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          {error && (
            <p className="alert alert--error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
            {busy ? 'Sending…' : 'Send reset link'}
          </button>
        </form>
      )}
      <p className="auth__switch">
        <button type="button" className="btn btn--ghost btn--sm" onClick={onBack}>
          Back to log in
        </button>
      </p>
    </>
  );
}

/**
 * The second log-in step with TOTP on: the e-mail and password are kept and sent again with a
 * 6-digit code or a recovery code.
 */
function TotpStep({
  email,
  password,
  onAuthenticated,
  onBack,
}: {
  email: string;
  password: string;
  onAuthenticated: (me: Me) => void;
  onBack: () => void;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const t = code.trim();
    const digits = t.replace(/[\s-]/g, '');
    try {
      onAuthenticated(await account.login(email, password, /^\d{6}$/.test(digits) ? digits : t));
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'mfa_required'
          ? 'That code is not right, or it was already used. Enter the current code from your authenticator app, or an unused recovery code.'
          : errorMessage(err),
      );
      setCode('');
      setBusy(false);
    }
  }

  return (
    <>
      <p className="muted auth__lead">
        Two-factor authentication is on for {email}. Enter the 6-digit code from your authenticator app, or one of your recovery codes.
      </p>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="login-totp">Code</label>
          <input
            id="login-totp"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            autoFocus
            maxLength={64}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            data-testid="login-totp"
          />
        </div>
        {error && (
          <p className="alert alert--error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn--primary btn--block" disabled={busy} data-testid="login-totp-submit">
          {busy ? 'Checking…' : 'Verify and log in'}
        </button>
      </form>
      <p className="auth__switch">
        <button type="button" className="btn btn--ghost btn--sm" onClick={onBack}>
          Back to log in
        </button>
      </p>
    </>
  );
}
