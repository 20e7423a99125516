// Small pieces shared by the account, members, tokens and workspace audit pages: a section card,
// an inline confirmation, and a "shown once" secret with a Copy button.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useToast } from '../components/Toast';
import { copyText } from '../format';
import './settings.css';

export function Section({ title, id, children, danger }: { title: string; id: string; children: ReactNode; danger?: boolean }) {
  return (
    <section className={`card settings__section${danger ? ' settings__section--danger' : ''}`} aria-labelledby={id}>
      <h2 id={id} className="settings__h2">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** An error (role=alert) or a result (role=status); nothing when empty. */
export function Message({ error, ok, testId }: { error?: string; ok?: string; testId?: string }) {
  if (error) {
    return (
      <p className="alert alert--error settings__msg" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
        {error}
      </p>
    );
  }
  if (ok) {
    return (
      <p className="alert alert--ok settings__msg" role="status" data-testid={testId ? `${testId}-ok` : undefined}>
        {ok}
      </p>
    );
  }
  return null;
}

export interface Confirmation {
  title: string;
  description: string;
  action: string;
  run: () => Promise<void> | void;
}

/**
 * An inline alertdialog asking to confirm a destructive action. Focus moves to Cancel when it
 * opens; Escape cancels.
 */
export function ConfirmBar({ confirm, onClose }: { confirm: Confirmation | null; onClose: () => void }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (confirm) cancelRef.current?.focus();
    setBusy(false);
  }, [confirm]);
  if (!confirm) return null;
  return (
    <div
      className="confirm settings__confirm"
      role="alertdialog"
      aria-labelledby="settings-confirm-title"
      aria-describedby="settings-confirm-desc"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
      data-testid="confirm"
    >
      <div>
        <p id="settings-confirm-title" className="confirm__title">
          {confirm.title}
        </p>
        <p id="settings-confirm-desc" className="muted">
          {confirm.description}
        </p>
      </div>
      <div className="confirm__actions">
        <button type="button" className="btn" ref={cancelRef} onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn--danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await confirm.run();
            } finally {
              setBusy(false);
              onClose();
            }
          }}
        >
          {confirm.action}
        </button>
      </div>
    </div>
  );
}

/** A secret the server shows once (a token, an invitation link) with Copy and a warning. */
export function OnceBox({ label, value, testId, warning }: { label: string; value: string; testId: string; warning: string }) {
  const notify = useToast();
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [value]);
  return (
    <div className="settings__once" role="status" data-testid={`${testId}-box`}>
      <label htmlFor={`${testId}-value`} className="settings__once-label">
        {label}
      </label>
      <div className="settings__copyrow">
        <input id={`${testId}-value`} ref={inputRef} readOnly value={value} className="settings__mono" data-testid={testId} />
        <button
          type="button"
          className="btn"
          onClick={async () => notify((await copyText(value)) ? 'Copied' : 'Could not copy: select the text and copy it yourself')}
        >
          Copy
        </button>
      </div>
      <p className="hint">{warning}</p>
    </div>
  );
}

export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Palette Maker`;
  }, [title]);
}
