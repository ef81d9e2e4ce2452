/**
 * Runs once when the Next.js server starts. The Node-only check lives in its own file so the
 * Edge bundle never sees `process.exit` (Next drops the branch for `NEXT_RUNTIME=edge`).
 */
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] === 'nodejs') {
    await import('./instrumentation-node');
  }
}
