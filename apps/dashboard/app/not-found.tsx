import Link from 'next/link';

/** Unknown address. */
export default function NotFound() {
  return (
    <main id="main" className="container" tabIndex={-1}>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link href="/">Go to the overview</Link>.
      </p>
    </main>
  );
}
