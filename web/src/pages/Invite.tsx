// The invitation link (/invite?token=...), returned by POST /api/v1/t/{ws}/invitations. Signed
// in: accept it and go to the workspace. Signed out: sign up with the invitation (unless the
// server's `auth.signup` is closed) or log in and come back here (/login?next=...).
// The server checks everything (the invited e-mail, expiry, the plan's member cap); its
// `error.message` is shown as is.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, errorMessage, type AuthOptions, type Me } from '../api';
import { Link } from '../router';
import { ThemeToggle } from '../components/Header';
import { Spinner } from '../components/Spinner';

interface Props {
  /** Called with the fresh session and the slug of the workspace just joined (null: not known). */
  onJoined: (me: Me, slug: string | null) => void;
}

export function InvitePage({ onJoined }: Props) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  // undefined: still asking; null: signed out.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [options, setOptions] = useState<AuthOptions | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Join a workspace · Palette Maker';
    let live = true;
    api
      .me(false)
      .then((m) => live && setMe(m))
      .catch((e) => {
        if (!live) return;
        setMe(null);
        if (!(e instanceof ApiError && e.status === 401)) setError(errorMessage(e));
      });
    api
      .authOptions()
      .then((o) => live && setOptions(o))
      .catch(() => undefined); // unknown: offer the form, the server decides
    return () => {
      live = false;
    };
  }, []);

  async function accept() {
    setBusy(true);
    setError('');
    try {
      const joined = await api.acceptInvitation(token);
      // The workspace list in the session changed: fetch it again before going there.
      onJoined(await api.me(false), joined.workspace.slug);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  async function switchAccount() {
    try {
      await api.logout();
    } catch {
      // Signed out from this page's point of view either way.
    }
    setError('');
    setMe(null);
  }

  const here = `/invite?token=${encodeURIComponent(token)}`;
  let body;
  if (!token) {
    body = (
      <p className="alert alert--error" role="alert">
        This invitation link is incomplete. Open the link you were sent again.
      </p>
    );
  } else if (me === undefined) {
    body = <Spinner />;
  } else if (me) {
    body = (
      <>
        <p className="muted auth__lead">
          You are signed in as <strong>{me.user.email}</strong>. Accept the invitation to join the workspace.
        </p>
        {error && (
          <p className="alert alert--error" role="alert" data-testid="invite-error">
            {error}
          </p>
        )}
        <div className="form">
          <button type="button" className="btn btn--primary btn--block" disabled={busy} onClick={accept}>
            {busy ? 'Joining…' : 'Accept'}
          </button>
        </div>
        <p className="auth__switch muted">
          Invited at another address?{' '}
          <button type="button" className="btn btn--ghost btn--sm" onClick={switchAccount}>
            Log out
          </button>
        </p>
      </>
    );
  } else {
    body = (
      <>
        {error && (
          <p className="alert alert--error" role="alert" data-testid="invite-error">
            {error}
          </p>
        )}
        {options?.signup === 'closed' ? (
          <p className="alert alert--info">Accounts are created by the operators of this server. Log in to accept.</p>
        ) : (
          <InviteSignup token={token} onJoined={onJoined} />
        )}
        <p className="auth__switch muted">
          Already have an account? <Link href={`/login?next=${encodeURIComponent(here)}`}>Log in</Link> and you come
          back here.
        </p>
      </>
    );
  }

  return (
    <div className="auth">
      <div className="auth__theme">
        <ThemeToggle />
      </div>
      <main className="auth__card card">
        <h1 className="auth__title">Join the workspace</h1>
        {body}
      </main>
    </div>
  );
}

/** Sign-up with the invitation: the account is created and joins the workspace in one step. */
function InviteSignup({ token, onJoined }: { token: string; onJoined: Props['onJoined'] }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await api.signup(email, password, name.trim() || undefined, token);
      // A new account has its personal workspace first, then the one it joined.
      const joined = me.workspaces.find((w) => w.personal === false) ?? me.workspaces[me.workspaces.length - 1];
      onJoined(me, joined ? joined.slug : null);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="form">
      <p className="muted auth__lead">Sign up to join: use the e-mail address the invitation was sent to.</p>
      <div className="field">
        <label htmlFor="invite-name">
          Name <span className="muted">(optional)</span>
        </label>
        <input id="invite-name" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="invite-email">E-mail</label>
        <input
          id="invite-email"
          type="email"
          autoComplete="email"
          required
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="invite-password">Password</label>
        <input
          id="invite-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby="invite-password-hint"
        />
        <p id="invite-password-hint" className="hint">
          At least 8 characters.
        </p>
      </div>
      {error && (
        <p className="alert alert--error" role="alert" data-testid="invite-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
        {busy ? 'Creating account…' : 'Sign up to join'}
      </button>
    </form>
  );
}
