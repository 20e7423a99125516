// A workspace's members and pending invitations (GET .../members, .../invitations). Owners and
// admins change roles, remove members, invite and revoke invitations; the owner also transfers
// ownership and deletes a team workspace. Everyone else sees the list and may leave.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { errorMessage, type Me, type Workspace } from '../api';
import { workspaces, type Invitation, type Member, type Role } from '../api-workspace';
import { Spinner } from '../components/Spinner';
import { dateTime } from '../format';
import { ConfirmBar, Message, OnceBox, Section, useTitle, type Confirmation } from './settings-ui';

interface Props {
  me: Me;
  workspace: Workspace;
  /** Memberships changed (left, transferred, deleted): reload /me; `gone` = no longer a member. */
  onChanged: (gone: boolean) => void;
}

const ROLE_HELP: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  viewer: 'Viewer',
};

/** "an owner", "an admin", "an editor", "a viewer". */
const article = (role: string) => (/^[aeiou]/.test(role) ? 'an' : 'a');

/** The roles `myRole` may give to a member whose role is `theirs` (none: no control). */
function assignable(myRole: string, theirs: Role): Role[] {
  if (theirs === 'owner') return [];
  if (myRole === 'owner') return ['admin', 'editor', 'viewer'];
  if (myRole === 'admin' && theirs !== 'admin') return ['editor', 'viewer'];
  return [];
}

export function MembersPage({ me, workspace, onChanged }: Props) {
  useTitle(`Members · ${workspace.name}`);
  const slug = workspace.slug;
  const role = workspace.role;
  const manager = role === 'owner' || role === 'admin';
  const [members, setMembers] = useState<Member[] | null>(null);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [error, setError] = useState('');
  const [ok, setOk] = useState('');
  const [confirm, setConfirm] = useState<Confirmation | null>(null);

  const load = useCallback(async () => {
    try {
      const [m, i] = await Promise.all([
        workspaces.members(slug),
        manager ? workspaces.invitations(slug) : Promise.resolve({ invitations: [] as Invitation[] }),
      ]);
      setMembers(m.members);
      setInvitations(i.invitations);
    } catch (err) {
      setError(errorMessage(err));
      setMembers((m) => m ?? []);
    }
  }, [slug, manager]);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(fn: () => Promise<unknown>, done: string) {
    setError('');
    setOk('');
    try {
      await fn();
      setOk(done);
    } catch (err) {
      setError(errorMessage(err));
    }
    await load();
  }

  const who = (m: Member) => m.name || m.email;

  return (
    <main className="page settings" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">Members</h1>
          <p className="page__sub muted">
            {workspace.name} · you are {article(role)} {role}
          </p>
        </div>
      </div>
      <ConfirmBar confirm={confirm} onClose={() => setConfirm(null)} />
      <div aria-live="polite">
        <Message error={error} ok={ok} testId="members" />
      </div>

      <Section title="People" id="members-people">
        {members === null ? (
          <Spinner label="Loading members…" />
        ) : (
          <div className="table-scroll">
            <table className="settings__table" data-testid="members">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  {manager && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {members.map((m) => {
                  const self = m.user_id === me.user.id;
                  const roles = self ? [] : assignable(role, m.role);
                  return (
                    <tr key={m.user_id} data-testid="member-row" data-email={m.email} data-role={m.role}>
                      <td>
                        <div className="settings__strong">
                          {who(m)}
                          {self && <span className="muted"> (you)</span>}
                        </div>
                        <div className="muted settings__small">{m.email}</div>
                      </td>
                      <td>
                        {roles.length > 0 ? (
                          <RoleCell
                            member={m}
                            label={who(m)}
                            roles={roles}
                            onSave={(to) =>
                              act(() => workspaces.setRole(slug, m.user_id, to), `${who(m)} is now ${article(to)} ${to}.`)
                            }
                          />
                        ) : (
                          <span className="badge">{m.role}</span>
                        )}
                      </td>
                      <td className="settings__nowrap">{dateTime(m.joined_at)}</td>
                      {manager && (
                        <td className="settings__actions">
                          {roles.length > 0 && (
                            <button
                              type="button"
                              className="btn btn--sm btn--danger-ghost"
                              data-testid="member-remove"
                              onClick={() =>
                                setConfirm({
                                  title: `Remove ${who(m)}?`,
                                  description: `${m.email} loses access to ${workspace.name} at once, and their API tokens for it stop working.`,
                                  action: 'Remove member',
                                  run: () => act(() => workspaces.removeMember(slug, m.user_id), `${who(m)} was removed.`),
                                })
                              }
                            >
                              Remove
                            </button>
                          )}
                          {role === 'owner' && !self && (
                            <button
                              type="button"
                              className="btn btn--sm btn--ghost"
                              data-testid="member-transfer"
                              onClick={() =>
                                setConfirm({
                                  title: `Make ${who(m)} the owner?`,
                                  description: `${who(m)} becomes the owner of ${workspace.name}; you become an admin. Only the new owner can undo this.`,
                                  action: 'Transfer ownership',
                                  run: async () => {
                                    await act(() => workspaces.transfer(slug, m.user_id), `${who(m)} is now the owner.`);
                                    onChanged(false);
                                  },
                                })
                              }
                            >
                              Make owner
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {role !== 'owner' && (
          <p className="settings__after">
            <button
              type="button"
              className="btn btn--danger-ghost"
              data-testid="leave-workspace"
              onClick={() =>
                setConfirm({
                  title: `Leave ${workspace.name}?`,
                  description: 'You lose access at once; someone has to invite you again to come back.',
                  action: 'Leave workspace',
                  run: async () => {
                    try {
                      await workspaces.leave(slug);
                      onChanged(true);
                    } catch (err) {
                      setError(errorMessage(err));
                    }
                  },
                })
              }
            >
              Leave workspace
            </button>
          </p>
        )}
      </Section>

      {manager && <InviteSection slug={slug} owner={role === 'owner'} onInvited={load} />}

      {manager && (
        <Section title="Pending invitations" id="members-pending">
          {invitations.length === 0 ? (
            <p className="muted" data-testid="invitations-empty">
              No pending invitations.
            </p>
          ) : (
            <ul className="settings__list" data-testid="invitations">
              {invitations.map((i) => (
                <li key={i.id} className="settings__item" data-testid="invitation-row" data-email={i.email}>
                  <div>
                    <div className="settings__strong">{i.email}</div>
                    <div className="muted settings__small">
                      {i.role} · expires {dateTime(i.expires_at)}
                    </div>
                  </div>
                  <button
                    type="button"
                    className="btn btn--sm btn--danger-ghost"
                    data-testid="invitation-revoke"
                    onClick={() =>
                      setConfirm({
                        title: `Revoke the invitation for ${i.email}?`,
                        description: 'The link they were sent stops working.',
                        action: 'Revoke invitation',
                        run: () => act(() => workspaces.revokeInvitation(slug, i.id), `The invitation for ${i.email} was revoked.`),
                      })
                    }
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}

      {role === 'owner' && !workspace.personal && <DeleteWorkspace workspace={workspace} onDeleted={() => onChanged(true)} />}
    </main>
  );
}

/** A role select with its own Save, so moving through the options never changes anything. */
function RoleCell({ member, label, roles, onSave }: { member: Member; label: string; roles: Role[]; onSave: (r: Role) => Promise<void> }) {
  const [role, setRole] = useState<Role>(member.role);
  const [busy, setBusy] = useState(false);
  useEffect(() => setRole(member.role), [member.role]);
  return (
    <div className="settings__row">
      <label>
        <span className="visually-hidden">Role of {label}</span>
        <select className="settings__select" value={role} data-testid="member-role" onChange={(e) => setRole(e.target.value as Role)}>
          {roles.includes(member.role) ? null : <option value={member.role}>{ROLE_HELP[member.role]}</option>}
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_HELP[r]}
            </option>
          ))}
        </select>
      </label>
      {role !== member.role && (
        <button
          type="button"
          className="btn btn--sm btn--primary"
          disabled={busy}
          data-testid="member-role-save"
          onClick={async () => {
            setBusy(true);
            await onSave(role);
            setBusy(false);
          }}
        >
          Save role
        </button>
      )}
    </div>
  );
}

function InviteSection({ slug, owner, onInvited }: { slug: string; owner: boolean; onInvited: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setLink(null);
    setBusy(true);
    try {
      const r = await workspaces.invite(slug, email.trim(), role);
      setLink({ email: r.invitation.email, url: r.invitation.accept_url ?? '' });
      setEmail('');
      await onInvited();
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  }

  return (
    <Section title="Invite someone" id="members-invite">
      <form className="settings__inline" onSubmit={submit}>
        <div className="field settings__grow">
          <label htmlFor="invite-email">E-mail</label>
          <input
            id="invite-email"
            type="email"
            required
            maxLength={254}
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="invite-email"
          />
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-role">
            <option value="viewer">Viewer (can look)</option>
            <option value="editor">Editor (can change palettes)</option>
            {owner && <option value="admin">Admin (can manage members)</option>}
          </select>
        </div>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="invite-submit">
          {busy ? 'Inviting…' : 'Invite'}
        </button>
      </form>
      <Message error={error} testId="invite" />
      {link && (
        <OnceBox
          label={`Invitation link for ${link.email}`}
          value={link.url}
          testId="invite-link"
          warning="No e-mail is sent: give this link to them yourself. It is shown only once, works once and expires in 7 days."
        />
      )}
    </Section>
  );
}

function DeleteWorkspace({ workspace, onDeleted }: { workspace: Workspace; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const matches = typed.trim() === workspace.name.trim();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) {
      setError('Type the workspace name exactly to confirm.');
      return;
    }
    setError('');
    setBusy(true);
    try {
      await workspaces.remove(workspace.slug);
      onDeleted();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Section title="Delete workspace" id="members-delete" danger>
      <p className="muted">
        Deletes {workspace.name} for every member at once, with its palettes and images. The operators can restore it for a few days; after that it is gone.
      </p>
      <form className="settings__inline" onSubmit={submit}>
        <div className="field settings__grow">
          <label htmlFor="delete-ws-name">Type “{workspace.name}” to confirm</label>
          <input id="delete-ws-name" type="text" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="delete-workspace-name" />
        </div>
        <button type="submit" className="btn btn--danger" disabled={busy || !matches} data-testid="delete-workspace">
          {busy ? 'Deleting…' : 'Delete workspace'}
        </button>
      </form>
      <Message error={error} testId="delete-workspace" />
    </Section>
  );
}
