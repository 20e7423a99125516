// The public page of a read-only share link (/s/{token}): the palette's image, its swatches with
// hex and labels, and downloads in every export format. Works signed out; it links into the app
// only when the visitor is signed in. A link that does not open (unknown, revoked, its palette
// deleted) is one plain message, whatever the reason.
import { useEffect, useState } from 'react';
import { api, errorMessage, isNotFound, type Me } from '../api';
import {
  SHARED_EXPORT_FORMATS,
  getShared,
  sharedExportUrl,
  sharedImageUrl,
  type SharedPalette,
} from '../api-shares';
import { inkFor } from '../color';
import { ThemeToggle } from '../components/Header';
import { Spinner } from '../components/Spinner';
import { Link } from '../router';
import './SharedPalette.css';

type State =
  | { kind: 'loading' }
  | { kind: 'ok'; palette: SharedPalette }
  | { kind: 'invalid' }
  | { kind: 'error'; message: string };

/** Keeps search engines off the page while it is shown (the API answers carry X-Robots-Tag). */
function useNoIndex() {
  useEffect(() => {
    const meta = document.createElement('meta');
    meta.name = 'robots';
    meta.content = 'noindex, nofollow';
    document.head.appendChild(meta);
    return () => meta.remove();
  }, []);
}

function SharedHeader({ me }: { me: Me | null }) {
  const home = me && me.workspaces[0] ? `/w/${encodeURIComponent(me.workspaces[0].slug)}` : null;
  return (
    <header className="header">
      <div className="header__inner">
        <span className="brand shared__brand">
          <span className="brand__name">Palette Maker</span>
        </span>
        <div className="header__actions">
          {home && (
            <Link href={home} className="header__link" data-testid="shared-app-link">
              Your palettes
            </Link>
          )}
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}

export function SharedPalettePage({ token }: { token: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [me, setMe] = useState<Me | null>(null);
  useNoIndex();

  useEffect(() => {
    let live = true;
    document.title = 'Shared palette · Palette Maker';
    getShared(token)
      .then(({ palette }) => {
        if (!live) return;
        document.title = `${palette.name} · Palette Maker`;
        setState({ kind: 'ok', palette });
      })
      .catch((e) => {
        if (!live) return;
        setState(isNotFound(e) ? { kind: 'invalid' } : { kind: 'error', message: errorMessage(e) });
      });
    // Only to offer a way back into the app; signed out is the normal case here.
    api
      .me(false)
      .then((m) => live && setMe(m))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [token]);

  let body;
  if (state.kind === 'loading') {
    body = <Spinner />;
  } else if (state.kind === 'invalid') {
    body = (
      <div className="empty" data-testid="shared-invalid">
        <h1>This link is not valid or was revoked</h1>
        <p className="muted">Ask the person who shared it for a new link.</p>
      </div>
    );
  } else if (state.kind === 'error') {
    body = (
      <p className="alert alert--error" role="alert" data-testid="shared-error">
        {state.message}
      </p>
    );
  } else {
    const p = state.palette;
    body = (
      <article className="shared" data-testid="shared-page">
        <h1 className="shared__title" data-testid="shared-name">
          {p.name}
        </h1>
        <div className="shared__layout">
          <figure className="shared__figure">
            <img
              className="shared__image"
              src={sharedImageUrl(token)}
              width={p.image.width}
              height={p.image.height}
              alt={`The image of the palette ${p.name}`}
              data-testid="shared-image"
            />
          </figure>
          <section className="shared__side" aria-label="Colours">
            <ul className="shared__swatches">
              {p.colors.map((hex, i) => (
                <li key={i} className="shared__swatch" data-testid="shared-swatch">
                  <span className="shared__chip" style={{ background: hex, color: inkFor(hex) }} aria-hidden="true">
                    {p.background === i ? 'BG' : ''}
                  </span>
                  <span className="shared__label" data-testid="shared-swatch-label">
                    {p.labels[i] ?? ''}
                  </span>
                  <code className="shared__hex" data-testid="shared-swatch-hex">
                    {hex}
                  </code>
                  {p.background === i && <span className="muted shared__bg">background</span>}
                </li>
              ))}
            </ul>
            <h2 className="shared__subtitle">Download</h2>
            <div className="shared__downloads">
              {SHARED_EXPORT_FORMATS.map(({ format, label }) => (
                <a
                  key={format}
                  className="btn btn--sm"
                  href={sharedExportUrl(token, format)}
                  download
                  data-testid={`shared-download-${format}`}
                >
                  {label}
                </a>
              ))}
            </div>
          </section>
        </div>
      </article>
    );
  }

  return (
    <>
      <SharedHeader me={me} />
      <main className="page" id="main">
        {body}
      </main>
    </>
  );
}
