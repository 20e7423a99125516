// The signed-in user's account: who they are, password, two-factor authentication (TOTP and
// recovery codes), sessions, and deleting the account. Every destructive step asks first.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type Me } from '../api';
import { account, type TotpSetup } from '../api-account';
import { useToast } from '../components/Toast';
import { copyText } from '../format';
import { groupSecret, normaliseCode, passwordProblem, recoveryCodesText } from '../settings-format';
import { ConfirmBar, Message, Section, useTitle, type Confirmation } from './settings-ui';

interface Props {
  me: Me;
  onMeChanged: (me: Me) => void;
  /** The session is gone (log out everywhere, account deleted): back to the log-in page. */
  onSignedOut: () => void;
}

export function AccountPage({ me, onMeChanged, onSignedOut }: Props) {
  useTitle('Account');
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const mfa = me.user.mfa_enabled === true;

  async function refresh() {
    try {
      onMeChanged(await api.me());
    } catch {
      // The page still shows what it knew; the next navigation asks again.
    }
  }

  return (
    <main className="page settings" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Account</h1>
          <p className="page__sub muted">Your sign-in details and security.</p>
        </div>
      </div>
      <ConfirmBar confirm={confirm} onClose={() => setConfirm(null)} />

      <Section title="Profile" id="account-profile">
        <dl className="settings__dl">
          <dt>Name</dt>
          <dd data-testid="account-name">{me.user.name || '–'}</dd>
          <dt>E-mail</dt>
          <dd data-testid="account-email">{me.user.email}</dd>
        </dl>
      </Section>

      <PasswordSection />
      <MfaSection me={me} mfa={mfa} onChanged={refresh} setConfirm={setConfirm} />

      <Section title="Sessions" id="account-sessions">
        <p className="muted">Signed in on a computer you no longer use? End every session, this one included.</p>
        <button
          type="button"
          className="btn"
          data-testid="logout-all"
          onClick={() =>
            setConfirm({
              title: 'Log out everywhere?',
              description: 'Every session of your account ends, on every device, including this one.',
              action: 'Log out everywhere',
              run: async () => {
                try {
                  await account.logoutAll();
                } catch {
                  // Whatever happened, this browser's session is gone or about to be.
                }
                onSignedOut();
              },
            })
          }
        >
          Log out everywhere
        </button>
      </Section>

      <DeleteAccountSection mfa={mfa} onDeleted={onSignedOut} setConfirm={setConfirm} />
    </main>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setOk('');
    const problem = passwordProblem(next, again);
    if (problem) {
      setError(problem);
      return;
    }
    setError('');
    setBusy(true);
    try {
      await account.changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      setOk('Password changed. Your other sessions have ended; this one stays signed in.');
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  }

  return (
    <Section title="Password" id="account-password">
      <form className="form settings__form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="pw-current">Current password</label>
          <input id="pw-current" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="pw-new">New password</label>
          <input
            id="pw-new"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            aria-describedby="pw-hint"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
          <p id="pw-hint" className="hint">
            At least 8 characters. Changing it ends your other sessions.
          </p>
        </div>
        <div className="field">
          <label htmlFor="pw-again">New password again</label>
          <input id="pw-again" type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} />
        </div>
        <Message error={error} ok={ok} testId="password" />
        <div>
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="password-submit">
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </Section>
  );
}

function RecoveryCodes({ email, codes, onDone }: { email: string; codes: string[]; onDone: () => void }) {
  const notify = useToast();
  const text = recoveryCodesText(email, codes);
  const [href] = useState(() => URL.createObjectURL(new Blob([text], { type: 'text/plain' })));
  return (
    <div className="settings__once" role="status" data-testid="recovery-codes">
      <p className="settings__once-label">Your recovery codes</p>
      <p className="hint">
        Each one logs you in once if you lose your authenticator. They are shown only now: keep them somewhere safe.
      </p>
      <ul className="settings__codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="settings__row">
        <button type="button" className="btn" onClick={async () => notify((await copyText(codes.join('\n'))) ? 'Copied' : 'Could not copy')}>
          Copy
        </button>
        <a className="btn" href={href} download="palettemaker-recovery-codes.txt">
          Download .txt
        </a>
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => {
            URL.revokeObjectURL(href);
            onDone();
          }}
        >
          I have saved them
        </button>
      </div>
    </div>
  );
}

interface MfaProps {
  me: Me;
  mfa: boolean;
  onChanged: () => Promise<void>;
  setConfirm: (c: Confirmation | null) => void;
}

function MfaSection({ me, mfa, onChanged, setConfirm }: MfaProps) {
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState('');
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);
  // Turning off / new recovery codes (when on).
  const [offPassword, setOffPassword] = useState('');
  const [offCode, setOffCode] = useState('');
  const [regenCode, setRegenCode] = useState('');

  async function run(fn: () => Promise<void>) {
    setError('');
    setOk('');
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  }

  const startSetup = () => run(async () => setSetup(await account.totpSetup()));
  const enable = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const r = await account.totpEnable(normaliseCode(code));
      setCodes(r.recovery_codes);
      setSetup(null);
      setCode('');
      await onChanged();
    });
  };
  const regenerate = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const r = await account.regenerateRecoveryCodes(normaliseCode(regenCode));
      setRegenCode('');
      setCodes(r.recovery_codes);
    });
  };
  const disable = (e: FormEvent) => {
    e.preventDefault();
    setConfirm({
      title: 'Turn off two-factor authentication?',
      description: 'Logging in will need only your password again, and your recovery codes stop working.',
      action: 'Turn off',
      run: () =>
        run(async () => {
          await account.totpDisable(offPassword, normaliseCode(offCode));
          setOffPassword('');
          setOffCode('');
          setOk('Two-factor authentication is off.');
          await onChanged();
        }),
    });
  };

  return (
    <Section title="Two-factor authentication" id="account-mfa">
      <p className="muted" data-testid="mfa-state">
        {mfa
          ? 'On: logging in asks for a 6-digit code from your authenticator app.'
          : 'Off: logging in needs only your password. Turn it on to ask for a code from an authenticator app as well.'}
      </p>
      {codes && <RecoveryCodes email={me.user.email} codes={codes} onDone={() => setCodes(null)} />}
      <Message error={error} ok={ok} testId="mfa" />
      {!mfa && !setup && (
        <button type="button" className="btn btn--primary" onClick={startSetup} disabled={busy} data-testid="totp-setup">
          Set up two-factor authentication
        </button>
      )}
      {!mfa && setup && (
        <form className="form settings__form" onSubmit={enable}>
          <ol className="settings__steps">
            <li>
              In your authenticator app, add an account with this key (time-based):
              <div className="settings__secret" data-testid="totp-secret">
                {groupSecret(setup.secret)}
              </div>
              or open this link on a device that has the app:{' '}
              <a href={setup.otpauth_uri} className="settings__uri" data-testid="totp-uri">
                {setup.otpauth_uri}
              </a>
            </li>
            <li>Enter the 6-digit code the app shows to turn it on.</li>
          </ol>
          <div className="field settings__code">
            <label htmlFor="totp-code">Code from your app</label>
            <input
              id="totp-code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-testid="totp-code"
            />
          </div>
          <div className="settings__row">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="totp-enable">
              {busy ? 'Checking…' : 'Turn on'}
            </button>
            <button type="button" className="btn btn--ghost" onClick={() => setSetup(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {mfa && (
        <div className="settings__split">
          <form className="form settings__form" onSubmit={regenerate}>
            <h3 className="settings__h3">New recovery codes</h3>
            <p className="hint">Replaces all your recovery codes with 10 new ones.</p>
            <div className="field settings__code">
              <label htmlFor="regen-code">Code from your app</label>
              <input
                id="regen-code"
                type="text"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                value={regenCode}
                onChange={(e) => setRegenCode(e.target.value)}
              />
            </div>
            <div>
              <button type="submit" className="btn" disabled={busy} data-testid="recovery-regenerate">
                Make new recovery codes
              </button>
            </div>
          </form>
          <form className="form settings__form" onSubmit={disable}>
            <h3 className="settings__h3">Turn off</h3>
            <div className="field">
              <label htmlFor="mfa-off-password">Password</label>
              <input
                id="mfa-off-password"
                type="password"
                autoComplete="current-password"
                required
                value={offPassword}
                onChange={(e) => setOffPassword(e.target.value)}
              />
            </div>
            <div className="field settings__code">
              <label htmlFor="mfa-off-code">Code from your app or a recovery code</label>
              <input id="mfa-off-code" type="text" autoComplete="one-time-code" required value={offCode} onChange={(e) => setOffCode(e.target.value)} />
            </div>
            <div>
              <button type="submit" className="btn btn--danger-ghost" disabled={busy} data-testid="totp-disable">
                Turn off two-factor authentication
              </button>
            </div>
          </form>
        </div>
      )}
    </Section>
  );
}

function DeleteAccountSection({
  mfa,
  onDeleted,
  setConfirm,
}: {
  mfa: boolean;
  onDeleted: () => void;
  setConfirm: (c: Confirmation | null) => void;
}) {
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [error, setError] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setConfirm({
      title: 'Delete your account for good?',
      description:
        'Your personal workspace and every workspace only you belong to are deleted with their palettes and images. This cannot be undone.',
      action: 'Delete my account',
      run: async () => {
        try {
          await account.deleteAccount(password, mfa ? normaliseCode(totp) : undefined);
          onDeleted();
        } catch (err) {
          let text = errorMessage(err);
          if (err instanceof ApiError && err.status === 409) {
            text += ' Open each of those workspaces’ Members page and transfer ownership to another member (or remove the other members) first.';
          }
          setError(text);
        }
      },
    });
  }

  return (
    <Section title="Delete account" id="account-delete" danger>
      <p className="muted">
        Deletes your account, your personal workspace and every workspace you own alone. Palettes you made in other people’s workspaces stay there.
      </p>
      <form className="form settings__form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="delete-password">Password</label>
          <input id="delete-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        {mfa && (
          <div className="field settings__code">
            <label htmlFor="delete-totp">Code from your app or a recovery code</label>
            <input id="delete-totp" type="text" autoComplete="one-time-code" required value={totp} onChange={(e) => setTotp(e.target.value)} />
          </div>
        )}
        <Message error={error} testId="delete-account" />
        <div>
          <button type="submit" className="btn btn--danger" data-testid="delete-account">
            Delete account…
          </button>
        </div>
      </form>
    </Section>
  );
}
