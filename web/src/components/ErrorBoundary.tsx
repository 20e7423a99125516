// Catches a render error in the routed page so a bug shows a message instead of a blank page.
// Keyed by path in App.tsx, so navigating elsewhere starts afresh.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  failed: boolean;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('page crashed:', error, info.componentStack);
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="page" id="main">
        <div className="empty" role="alert" data-testid="page-crashed">
          <h1>Something went wrong on this page</h1>
          <p className="muted">This is a bug on our side. Reloading the page usually helps; your data is safe.</p>
          <button type="button" className="btn btn--primary" onClick={() => location.reload()}>
            Reload the page
          </button>
        </div>
      </main>
    );
  }
}
