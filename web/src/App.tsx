// Session and routing. GET /api/v1/me tells who is logged in and which workspaces they have;
// a 401 from it (or from any API call) sends the user to /login.
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, errorMessage, type Me, type Workspace } from './api';
import { Link, matchRoute, navigate, nextPath, usePath } from './router';
import { Header } from './components/Header';
import { Spinner } from './components/Spinner';
import { ToastProvider } from './components/Toast';
import { AdminPage } from './pages/Admin';
import { AuthPage } from './pages/Auth';
import { InvitePage } from './pages/Invite';
import { OperatorSetupPage } from './pages/OperatorSetup';
import { PaletteListPage } from './pages/PaletteList';
import { PaletteViewPage } from './pages/PaletteView';
import { ResetPasswordPage } from './pages/ResetPassword';
import { SharedPalettePage } from './pages/SharedPalette';
import { UsagePage } from './pages/Usage';
import { ErrorBoundary } from './components/ErrorBoundary';

// Rarely opened pages load on first use, keeping the first load small.
const AccountPage = lazy(() => import('./pages/Account').then((m) => ({ default: m.AccountPage })));
const MembersPage = lazy(() => import('./pages/Members').then((m) => ({ default: m.MembersPage })));
const TokensPage = lazy(() => import('./pages/Tokens').then((m) => ({ default: m.TokensPage })));
const WorkspaceAuditPage = lazy(() => import('./pages/WorkspaceAudit').then((m) => ({ default: m.WorkspaceAuditPage })));
const NewWorkspacePage = lazy(() => import('./pages/NewWorkspace').then((m) => ({ default: m.NewWorkspacePage })));

export function App() {
  return (
    <ToastProvider>
      <Shell />
    </ToastProvider>
  );
}

function wsPath(slug: string) {
  return `/w/${encodeURIComponent(slug)}`;
}

function Shell() {
  const path = usePath();
  const route = matchRoute(path);
  const [me, setMe] = useState<Me | null>(null);
  const [meError, setMeError] = useState('');
  const [loggingOut, setLoggingOut] = useState(false);
  // These pages work signed out (the invitation and share pages ask /api/v1/me themselves, without
  // redirecting).
  const needsSession = !['login', 'signup', 'setup', 'reset', 'invite', 'shared'].includes(route.name);

  useEffect(() => {
    if (!needsSession || me) return;
    let live = true;
    setMeError('');
    api
      .me()
      .then((m) => live && setMe(m))
      .catch((e) => {
        // 401 already redirected to /login; anything else is shown.
        if (live && !(e && e.status === 401)) setMeError(errorMessage(e));
      });
    return () => {
      live = false;
    };
  }, [needsSession, me]);

  // "/" goes to the first workspace.
  useEffect(() => {
    if (route.name === 'home' && me) {
      if (me.workspaces.length > 0) navigate(wsPath(me.workspaces[0].slug), { replace: true });
    }
  }, [route.name, me]);

  function onAuthenticated(m: Me) {
    setMe(m);
    // Back to where the log-in was asked for (an invitation link), else the first workspace.
    const next = route.name === 'login' ? nextPath() : null;
    navigate(next ?? (m.workspaces.length > 0 ? wsPath(m.workspaces[0].slug) : '/'));
  }

  function onJoined(m: Me, slug: string | null) {
    setMe(m);
    navigate(slug ? wsPath(slug) : '/');
  }

  async function logout() {
    setLoggingOut(true);
    try {
      await api.logout();
    } catch {
      // The session is gone from this browser's point of view either way.
    }
    setMe(null);
    setLoggingOut(false);
    navigate('/login', { replace: true });
  }

  // Log out everywhere, account deleted: the session is gone.
  function onSignedOut() {
    setMe(null);
    navigate('/login', { replace: true });
  }

  // Left, transferred, deleted or created a workspace: /me changed.
  async function onMembershipChanged(goTo: string | null) {
    try {
      const m = await api.me();
      setMe(m);
      if (goTo !== null) navigate(goTo || (m.workspaces[0] ? wsPath(m.workspaces[0].slug) : '/'));
    } catch (e) {
      setMeError(errorMessage(e));
    }
  }

  if (route.name === 'setup') {
    return <OperatorSetupPage onAuthenticated={onAuthenticated} />;
  }
  if (route.name === 'shared') {
    // Public: a share link opens without a session (the page asks /api/v1/me itself, quietly).
    return <SharedPalettePage key={route.token} token={route.token} />;
  }
  if (route.name === 'reset') {
    return <ResetPasswordPage />;
  }
  if (route.name === 'invite') {
    return <InvitePage onJoined={onJoined} />;
  }
  if (route.name === 'login' || route.name === 'signup') {
    return <AuthPage mode={route.name} onAuthenticated={onAuthenticated} />;
  }

  if (!me) {
    return (
      <>
        <Header me={null} workspace={null} />
        <main className="page">
          {meError ? (
            <p className="alert alert--error" role="alert">
              {meError}
            </p>
          ) : (
            <Spinner />
          )}
        </main>
      </>
    );
  }

  const slug = 'slug' in route ? route.slug : null;
  const workspace = slug ? me.workspaces.find((w) => w.slug === slug) ?? null : me.workspaces[0] ?? null;

  let body;
  if (route.name === 'notfound' || (slug && !workspace)) {
    body = (
      <main className="page">
        <div className="empty">
          <h1>Not found</h1>
          <p className="muted">{slug && !workspace ? 'You are not a member of that workspace.' : 'There is no page at this address.'}</p>
          {me.workspaces[0] && <Link href={wsPath(me.workspaces[0].slug)}>Go to your palettes</Link>}
        </div>
      </main>
    );
  } else if (route.name === 'admin') {
    // Shown to anyone signed in: the admin API itself says who is an operator (404 otherwise).
    body = <AdminPage />;
  } else if (route.name === 'list' && workspace) {
    body = <PaletteListPage key={workspace.slug} workspace={workspace} />;
  } else if (route.name === 'palette' && workspace) {
    body = <PaletteViewPage key={`${workspace.slug}/${route.id}`} workspace={workspace} id={route.id} />;
  } else if (route.name === 'usage' && workspace) {
    body = <UsagePage key={workspace.slug} workspace={workspace} />;
  } else if (route.name === 'account') {
    body = <AccountPage me={me} onMeChanged={setMe} onSignedOut={onSignedOut} />;
  } else if (route.name === 'newworkspace') {
    body = <NewWorkspacePage onCreated={(w: Workspace) => onMembershipChanged(wsPath(w.slug))} />;
  } else if (route.name === 'members' && workspace) {
    body = (
      <MembersPage key={workspace.slug} me={me} workspace={workspace} onChanged={(gone) => onMembershipChanged(gone ? '' : null)} />
    );
  } else if (route.name === 'tokens' && workspace) {
    body = <TokensPage key={workspace.slug} workspace={workspace} />;
  } else if (route.name === 'audit' && workspace) {
    body = <WorkspaceAuditPage key={workspace.slug} workspace={workspace} />;
  } else if (me.workspaces.length === 0) {
    body = (
      <main className="page">
        <div className="empty">
          <h1>No workspace</h1>
          <p className="muted">Your account is not a member of any workspace yet.</p>
        </div>
      </main>
    );
  } else {
    body = (
      <main className="page">
        <Spinner />
      </main>
    );
  }

  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <Header me={me} workspace={workspace} onLogout={logout} loggingOut={loggingOut} />
      <ErrorBoundary key={path}>
        <Suspense
          fallback={
            <main className="page">
              <Spinner />
            </main>
          }
        >
          {body}
        </Suspense>
      </ErrorBoundary>
    </>
  );
}
