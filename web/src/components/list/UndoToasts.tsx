// The "Deleted “name”. Undo" toasts, one per pending delete, newest at the bottom.
import type { Palette } from '../../api';
import type { UndoQueue } from './undo';

export function UndoToasts({ queue, onUndo }: { queue: UndoQueue<Palette>; onUndo: (id: number) => void }) {
  return (
    <div className="plist__toasts" role="status" aria-live="polite">
      {queue.map((e) => (
        <div key={e.item.id} className="plist__toast" data-testid="undo-toast" data-palette-id={e.item.id}>
          <span className="plist__toast-text">Deleted “{e.item.name}”.</span>
          <button
            type="button"
            className="plist__undo"
            data-testid="undo"
            aria-label={`Undo deleting ${e.item.name}`}
            onClick={() => onUndo(e.item.id)}
          >
            Undo
          </button>
        </div>
      ))}
    </div>
  );
}
