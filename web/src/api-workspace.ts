// Workspace administration (docs/API.md "Workspaces, members, invitations, API tokens" and
// "Audit log"): members, invitations, API tokens, the workspace's audit log.
import { request, ws, type AuditPage, type Workspace } from './api';

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

export interface Member {
  user_id: number;
  email: string;
  name: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: number;
  email: string;
  role: Role;
  /** The inviting user's id (null once erased). */
  invited_by: number | null;
  created_at: string;
  expires_at: string;
  /** Only in the answer to the POST that made it. */
  token?: string;
  accept_url?: string;
}

export interface ApiToken {
  id: number;
  name: string;
  scope: 'read' | 'write';
  user: { id: number; email: string };
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  /** `pm_...`: only in the answer to the POST that made it. */
  token?: string;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
}

export const workspaces = {
  create: (name: string, slug?: string) =>
    request<{ workspace: Workspace; role: string }>('POST', '/api/v1/workspaces', { body: slug ? { name, slug } : { name } }),
  remove: (slug: string) => request<{ workspace: Workspace }>('DELETE', ws(slug)),

  members: (slug: string) => request<{ members: Member[] }>('GET', `${ws(slug)}/members`),
  setRole: (slug: string, userId: number, role: Role) =>
    request<{ member: Member }>('PATCH', `${ws(slug)}/members/${userId}`, { body: { role } }),
  removeMember: (slug: string, userId: number) => request<void>('DELETE', `${ws(slug)}/members/${userId}`),
  leave: (slug: string) => request<void>('POST', `${ws(slug)}/leave`),
  transfer: (slug: string, userId: number) =>
    request<{ members: Member[] }>('POST', `${ws(slug)}/transfer`, { body: { user_id: userId } }),

  invitations: (slug: string) => request<{ invitations: Invitation[] }>('GET', `${ws(slug)}/invitations`),
  invite: (slug: string, email: string, role: Role) =>
    request<{ invitation: Invitation }>('POST', `${ws(slug)}/invitations`, { body: { email, role } }),
  revokeInvitation: (slug: string, id: number) => request<void>('DELETE', `${ws(slug)}/invitations/${id}`),

  tokens: (slug: string) => request<{ tokens: ApiToken[] }>('GET', `${ws(slug)}/tokens`),
  createToken: (slug: string, name: string, scope: 'read' | 'write', expiresInDays?: number) =>
    request<{ token: ApiToken }>('POST', `${ws(slug)}/tokens`, {
      body: expiresInDays ? { name, scope, expires_in_days: expiresInDays } : { name, scope },
    }),
  revokeToken: (slug: string, id: number) => request<void>('DELETE', `${ws(slug)}/tokens/${id}`),

  audit: (slug: string, f: AuditFilter, cursor?: string | null, limit = 50) => {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    return request<AuditPage>('GET', `${ws(slug)}/audit?${q}`);
  },
};
