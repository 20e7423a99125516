// The links of the current workspace under the header: what every member may open, plus the
// audit log for owners and admins, and "New workspace".
import type { Workspace } from '../api';
import { Link } from '../router';
import './wsnav.css';

export function WorkspaceNav({ workspace }: { workspace: Workspace }) {
  const path = location.pathname.replace(/\/+$/, '');
  const base = `/w/${encodeURIComponent(workspace.slug)}`;
  const manager = workspace.role === 'owner' || workspace.role === 'admin';
  const links: { href: string; label: string; testId: string }[] = [
    { href: base, label: 'Palettes', testId: 'nav-palettes' },
    { href: `${base}/members`, label: 'Members', testId: 'members-link' },
    { href: `${base}/tokens`, label: 'API tokens', testId: 'tokens-link' },
    ...(manager ? [{ href: `${base}/audit`, label: 'Audit log', testId: 'audit-link' }] : []),
    { href: '/workspaces/new', label: '+ New workspace', testId: 'new-workspace-link' },
  ];
  return (
    <nav className="wsnav" aria-label="Workspace">
      {links.map((l) => (
        <Link key={l.href} href={l.href} data-testid={l.testId} aria-current={path === l.href ? 'page' : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
