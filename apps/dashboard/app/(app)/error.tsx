'use client';

/**
 * Anything a page did not expect: a message and a retry, never the error's text or stack
 * (in production Next only passes a digest, which operators can find in the server log).
 */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="notice notice-error" role="alert" data-testid="page-error">
      <h1>Something went wrong</h1>
      <p>This page could not be shown. The services may be restarting; try again in a moment.</p>
      {error.digest && (
        <p className="muted">
          Reference for the operators: <code>{error.digest}</code>
        </p>
      )}
      <button type="button" className="button" onClick={() => reset()}>
        Try again
      </button>
    </div>
  );
}
