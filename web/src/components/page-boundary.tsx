"use client";

import { Component, type ErrorInfo, type ReactNode } from "react";

import { ErrorNotice } from "@/components/error-notice";
import { useT } from "@/i18n";

interface State {
  error: unknown;
  failed: boolean;
}

class Boundary extends Component<
  { children: ReactNode; fallback: (error: unknown, reset: () => void) => ReactNode },
  State
> {
  override state: State = { error: null, failed: false };

  static getDerivedStateFromError(error: unknown): State {
    return { error, failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error("page error", error, info.componentStack);
  }

  reset = () => this.setState({ error: null, failed: false });

  override render() {
    if (this.state.failed) return this.props.fallback(this.state.error, this.reset);
    return this.props.children;
  }
}

/** Every page sits in one: a crash shows a friendly message and a retry, never a blank screen. */
export function PageBoundary({ children }: { children: ReactNode }) {
  const t = useT();
  return (
    <Boundary
      fallback={(error, reset) => (
        <div className="mx-auto max-w-xl px-4 py-16">
          <h1 className="mb-4 text-2xl font-bold">{t.errors.pageCrashed}</h1>
          <ErrorNotice error={error} onRetry={reset} />
        </div>
      )}
    >
      {children}
    </Boundary>
  );
}
