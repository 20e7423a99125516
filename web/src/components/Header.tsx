import { useState } from 'react';
import type { Me, Workspace } from '../api';
import { Link } from '../router';
import { effectiveTheme, setTheme, type Theme } from '../theme';
import { WorkspaceNav } from './WorkspaceNav';
import { useWorkspaceSwitcher } from './useWorkspaceSwitcher';

function Logo() {
  return (
    <svg className="brand__logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect x="2" y="2" width="28" height="28" rx="7" fill="currentColor" opacity="0.12" />
      <rect x="7" y="9" width="4" height="14" rx="2" fill="#f97316" />
      <rect x="12.5" y="9" width="4" height="14" rx="2" fill="#facc15" />
      <rect x="18" y="9" width="4" height="14" rx="2" fill="#22c55e" />
      <rect x="23.5" y="9" width="2" height="14" rx="1" fill="#3b82f6" />
    </svg>
  );
}

export function ThemeToggle() {
  const [theme, setLocal] = useState<Theme>(effectiveTheme());
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="btn btn--ghost btn--icon"
      onClick={() => {
        setTheme(next);
        setLocal(next);
      }}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      data-testid="theme-toggle"
    >
      {theme === 'dark' ? (
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
          <circle cx="12" cy="12" r="4.5" />
          <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
        </svg>
      ) : (
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round">
          <path d="M20.5 14.5A8.5 8.5 0 0 1 9.5 3.5a8.5 8.5 0 1 0 11 11z" />
        </svg>
      )}
    </button>
  );
}

interface HeaderProps {
  me: Me | null;
  workspace: Workspace | null;
  onLogout?: () => void;
  loggingOut?: boolean;
}

export function Header({ me, workspace, onLogout, loggingOut }: HeaderProps) {
  const home = workspace ? `/w/${encodeURIComponent(workspace.slug)}` : '/';
  const switcher = useWorkspaceSwitcher(workspace?.slug ?? '');
  return (
    <header className="header">
      <div className="header__inner">
        <Link href={home} className="brand">
          <Logo />
          <span className="brand__name">Palette Maker</span>
        </Link>
        {me && workspace && (
          <div className="header__ws">
            <span className="header__sep" aria-hidden="true">/</span>
            {me.workspaces.length > 1 ? (
              <label className="ws-select">
                <span className="visually-hidden">Workspace</span>
                <select
                  value={switcher.value}
                  onChange={switcher.onChange}
                  onKeyDown={switcher.onKeyDown}
                  onBlur={switcher.onBlur}
                  data-testid="workspace-name"
                >
                  {me.workspaces.map((w) => (
                    <option key={w.id} value={w.slug}>
                      {w.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <span className="header__ws-name" data-testid="workspace-name" title={`Workspace ${workspace.name}`}>
                {workspace.name}
              </span>
            )}
            <span className="badge" title="Your role in this workspace">{workspace.role}</span>
            {(workspace.role === 'owner' || workspace.role === 'admin') && (
              <Link href={`/w/${encodeURIComponent(workspace.slug)}/usage`} className="header__link" data-testid="usage-link">
                Usage
              </Link>
            )}
          </div>
        )}
        <div className="header__actions">
          {me?.user.is_operator === true && (
            <Link href="/admin" className="header__link" data-testid="admin-link">
              Admin
            </Link>
          )}
          {me && (
            <Link href="/account" className="header__link" data-testid="account-link">
              Account
            </Link>
          )}
          {me && (
            <span className="header__user" title={me.user.email}>
              {me.user.name || me.user.email}
            </span>
          )}
          <ThemeToggle />
          {me && onLogout && (
            <button type="button" className="btn btn--ghost" onClick={onLogout} disabled={loggingOut}>
              Log out
            </button>
          )}
        </div>
      </div>
      {me && workspace && <WorkspaceNav workspace={workspace} />}
    </header>
  );
}
