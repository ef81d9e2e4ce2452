import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'auditstack dashboard', template: '%s · auditstack' },
  description: 'State of every audit, lifecycle and tool event, and the evidence ledger.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
};

/** The document: every page brings its own header (the signed-in shell or the sign-in page). */
export default function RootLayout({ children }: { readonly children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <footer className="site-footer">
          <div className="container">
            auditstack · audit platform · <a href="/status">Service status</a>
          </div>
        </footer>
      </body>
    </html>
  );
}
