/** The first value of a search parameter, trimmed and bounded, or `undefined` when unset or empty. */
export function param(params: Readonly<Record<string, string | string[] | undefined>>, key: string, maxLength = 200): string | undefined {
  const raw = params[key];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value.slice(0, maxLength) : undefined;
}

/** `path?…` with the given params, skipping empty ones. */
export function hrefWith(path: string, params: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
