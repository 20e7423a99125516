// One card of the palette list: thumbnail, name, a mini swatch strip, date, and (for editors and
// up) the move / duplicate / delete buttons. Memoised: scrolling a long list mounts the cards
// entering the window and leaves the others alone.
import { memo } from 'react';
import type { Palette } from '../../api';
import { formatDate } from '../../color';
import { Link } from '../../router';
import { SwatchStrip } from '../SwatchStrip';
import type { MoveTo } from './reorder';

export type CardAction = MoveTo | 'duplicate' | 'delete';

interface Props {
  palette: Palette;
  href: string;
  /** False for viewers: no write controls at all. */
  canWrite: boolean;
  /** Whether "top"/"up" and "down"/"bottom" would change the order (primitives keep memo cheap). */
  canRaise: boolean;
  canLower: boolean;
  busy: boolean;
  onAction: (id: number, action: CardAction) => void;
}

const MOVES: { to: MoveTo; label: (n: string) => string; title: string; icon: string }[] = [
  { to: 'top', label: (n) => `Move ${n} to the top`, title: 'Move to top', icon: 'M5 4h14M12 20V8m-5 5 5-5 5 5' },
  { to: 'up', label: (n) => `Move ${n} up`, title: 'Move up', icon: 'M12 19V5m-6 6 6-6 6 6' },
  { to: 'down', label: (n) => `Move ${n} down`, title: 'Move down', icon: 'M12 5v14m-6-6 6 6 6-6' },
  { to: 'bottom', label: (n) => `Move ${n} to the bottom`, title: 'Move to bottom', icon: 'M5 20h14M12 4v12m-5-5 5 5 5-5' },
];

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export const PaletteCard = memo(function PaletteCard({ palette: p, href, canWrite, canRaise, canLower, busy, onAction }: Props) {
  const n = p.name;
  const moves: Record<MoveTo, boolean> = { top: canRaise, up: canRaise, down: canLower, bottom: canLower };
  return (
    <li className="plist__card" data-testid="palette-card" data-palette-id={p.id}>
      <Link href={href} className="plist__link" data-card-link="">
        <div className="plist__thumb">
          {/* width/height give the box its ratio before the image arrives; CSS fixes its size. */}
          <img src={p.thumbnail_url ?? p.image_url} alt="" width={320} height={240} loading="lazy" decoding="async" />
        </div>
        <SwatchStrip className="plist__strip" colors={p.colors} />
        <div className="plist__body">
          <span className="plist__name" data-testid="palette-name" title={n}>
            {n}
          </span>
          <span className="plist__meta muted">
            {p.colors.length} colours · <time dateTime={p.created_at}>{formatDate(p.created_at)}</time>
          </span>
        </div>
      </Link>
      {canWrite && (
        <div className="plist__actions" role="group" aria-label={`Actions for ${n}`}>
          {MOVES.map((m) => (
            <button
              key={m.to}
              type="button"
              className="plist__act"
              data-testid={`move-${m.to}`}
              data-action={m.to}
              aria-label={m.label(n)}
              title={m.title}
              // aria-disabled rather than disabled: the button keeps focus after the card reaches
              // the top, so a keyboard user is not thrown back to the start of the page.
              aria-disabled={!moves[m.to] || busy}
              onClick={() => moves[m.to] && !busy && onAction(p.id, m.to)}
            >
              <Icon d={m.icon} />
            </button>
          ))}
          <span className="plist__sep" aria-hidden="true" />
          <button
            type="button"
            className="plist__act"
            data-testid="duplicate"
            data-action="duplicate"
            aria-label={`Duplicate ${n}`}
            title="Duplicate"
            aria-disabled={busy}
            onClick={() => !busy && onAction(p.id, 'duplicate')}
          >
            <Icon d="M9 9h11v11H9zM5 15H4V4h11v1" />
          </button>
          <button
            type="button"
            className="plist__act plist__act--danger"
            data-testid="delete"
            data-action="delete"
            aria-label={`Delete ${n}`}
            title="Delete"
            aria-disabled={busy}
            onClick={() => !busy && onAction(p.id, 'delete')}
          >
            <Icon d="M4 7h16M10 11v6m4-6v6M6 7l1 13h10l1-13M9 7V4h6v3" />
          </button>
        </div>
      )}
    </li>
  );
});
