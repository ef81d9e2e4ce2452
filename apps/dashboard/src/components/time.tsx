'use client';

import { useEffect, useState } from 'react';
import { formatLocal, formatUtc } from './time.util';

/**
 * An instant shown in the viewer's time zone, with the UTC value on hover (`title`).
 * The server does not know the viewer's zone, so the first render (server and hydration)
 * shows UTC and the browser switches to local time after mounting: no hydration mismatch.
 */
export function Time({ iso, fallback = '—' }: { readonly iso: string | null | undefined; readonly fallback?: string }) {
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    if (iso) setLocal(formatLocal(iso));
  }, [iso]);
  if (!iso) return <span className="muted">{fallback}</span>;
  const utc = formatUtc(iso);
  return (
    <time dateTime={iso} title={utc} data-utc={utc}>
      {local ?? utc}
    </time>
  );
}
