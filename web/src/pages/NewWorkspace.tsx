// Makes a team workspace (POST /api/v1/workspaces); the caller becomes its owner.
import { useState, type FormEvent } from 'react';
import { errorMessage, type Workspace } from '../api';
import { workspaces } from '../api-workspace';
import { Message, Section, useTitle } from './settings-ui';

export function NewWorkspacePage({ onCreated }: { onCreated: (w: Workspace) => void }) {
  useTitle('New workspace');
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    const s = slug.trim().toLowerCase();
    if (s && !/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/.test(s)) {
      setError('The address needs 2–40 characters: lower-case letters, digits and dashes, starting and ending with a letter or digit.');
      return;
    }
    setBusy(true);
    try {
      const r = await workspaces.create(name.trim(), s || undefined);
      onCreated(r.workspace);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <main className="page settings" id="main">
      <div className="page__head">
        <div>
          <h1 className="page__title">New workspace</h1>
          <p className="page__sub muted">A shared place for a team’s palettes. You will be its owner and can invite people.</p>
        </div>
      </div>
      <Section title="Workspace" id="new-ws">
        <form className="form settings__form" onSubmit={submit}>
          <div className="field">
            <label htmlFor="new-ws-name">Name</label>
            <input id="new-ws-name" type="text" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} data-testid="new-workspace-name" />
          </div>
          <div className="field">
            <label htmlFor="new-ws-slug">
              Address <span className="muted">(optional)</span>
            </label>
            <input
              id="new-ws-slug"
              type="text"
              maxLength={40}
              spellCheck={false}
              autoCapitalize="off"
              aria-describedby="new-ws-slug-hint"
              value={slug}
              onChange={(e) => setSlug(e.target.value)}
            />
            <p id="new-ws-slug-hint" className="hint">
              Shown in links as /w/<em>address</em>. Left empty, it is made from the name.
            </p>
          </div>
          <Message error={error} testId="new-workspace" />
          <div>
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="new-workspace-submit">
              {busy ? 'Creating…' : 'Create workspace'}
            </button>
          </div>
        </form>
      </Section>
    </main>
  );
}
