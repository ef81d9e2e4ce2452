/** `2026-11-22 09:00 UTC`: the exact instant, shown on hover and before the browser knows its zone. */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The instant in the viewer's zone and locale, with the zone's short name (`22 Nov 2026, 10:00 GMT+1`).
 * `dateStyle`/`timeStyle` cannot be combined with `timeZoneName`, so the zone is read separately.
 */
export function formatLocal(iso: string, options: { readonly locale?: string; readonly timeZone?: string } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(date);
  const zone = new Intl.DateTimeFormat(options.locale, { timeZone: options.timeZone, timeZoneName: 'short' })
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value;
  return zone ? `${text} ${zone}` : text;
}
