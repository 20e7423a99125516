// Calls `onReach` when `sentinelRef` comes within `margin` of the viewport, while `enabled`.
// The observer is re-created whenever `enabled` turns true again (after each page), because an
// IntersectionObserver only reports changes: a sentinel still in range after a short page would
// otherwise never load the next one.
import { useEffect, useRef, type RefObject } from 'react';

export function useInfiniteScroll(sentinelRef: RefObject<Element>, enabled: boolean, onReach: () => void, margin = 600) {
  const cb = useRef(onReach);
  cb.current = onReach;
  useEffect(() => {
    const el = sentinelRef.current;
    if (!enabled || !el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) cb.current();
      },
      { rootMargin: `${margin}px 0px` },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [sentinelRef, enabled, margin]);
}
