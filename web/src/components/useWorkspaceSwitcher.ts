// Keyboard-friendly behaviour for the header's workspace <select>. A closed select changes its
// value on every arrow key, and navigating on each change would jump through every workspace on
// the way (WCAG 3.2.2). So a change made with the keyboard only moves the selection; Enter, or
// leaving the control, goes there. A change made with the mouse (or a popup) goes at once.
import { useEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { navigate } from '../router';

const MOVE_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

export function useWorkspaceSwitcher(current: string) {
  const [value, setValue] = useState(current);
  const keyed = useRef(false);
  useEffect(() => setValue(current), [current]);

  const go = (slug: string) => {
    if (slug && slug !== current) navigate(`/w/${encodeURIComponent(slug)}`);
  };
  return {
    value,
    onKeyDown: (e: KeyboardEvent<HTMLSelectElement>) => {
      // Alt+arrow and Space open the option list instead; a choice made there goes at once.
      if (e.altKey || e.ctrlKey || e.metaKey || e.key === ' ') return;
      if (MOVE_KEYS.has(e.key) || e.key.length === 1) {
        // Only the change this key press causes (it follows at once) counts as keyed.
        keyed.current = true;
        window.setTimeout(() => (keyed.current = false), 0);
      }
      if (e.key === 'Enter') go(e.currentTarget.value);
    },
    onChange: (e: { target: HTMLSelectElement }) => {
      setValue(e.target.value);
      if (!keyed.current) go(e.target.value);
      keyed.current = false;
    },
    onBlur: (e: FocusEvent<HTMLSelectElement>) => go(e.currentTarget.value),
  };
}
