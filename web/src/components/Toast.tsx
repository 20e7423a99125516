// One polite live region for short confirmations ("Copied #a1b2c3").
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';

type Notify = (message: string) => void;
const ToastContext = createContext<Notify>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const [visible, setVisible] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const notify = useCallback<Notify>((m) => {
    setMessage(m);
    setVisible(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setVisible(false), 2200);
  }, []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className={visible ? 'toast toast--visible' : 'toast'} role="status" aria-live="polite" data-testid="toast">
        {visible ? message : ''}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Notify {
  return useContext(ToastContext);
}
