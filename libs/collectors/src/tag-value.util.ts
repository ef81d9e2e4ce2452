/** A parsed tag=value list (RFC 6376 §3.2, used by DKIM, DMARC, MTA-STS and TLS-RPT TXT records). */
export interface TagList {
  /** Tags in the order written, names lower-cased, values trimmed. */
  readonly tags: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** Syntax problems: duplicate tags, tags without `=`, bad names. */
  readonly errors: string[];
}

/** Most tags parsed from one record; the record is attacker-controlled DNS data. */
const MAX_TAGS = 64;

/**
 * Parses `tag=value; tag=value` (RFC 6376 §3.2). Whitespace around names and
 * values is ignored; an empty trailing segment is allowed; a duplicate tag
 * makes the list invalid (RFC 6376 §3.2 "Tags with duplicate names MUST NOT
 * occur").
 */
export function parseTagList(text: string): TagList {
  const tags: Array<{ name: string; value: string }> = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const parts = text.split(';');
  for (const [i, part] of parts.entries()) {
    if (tags.length >= MAX_TAGS) {
      errors.push(`more than ${MAX_TAGS} tags`);
      break;
    }
    const trimmed = part.trim();
    if (trimmed === '') {
      if (i !== parts.length - 1) errors.push('empty tag');
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (eq < 0) {
      errors.push(`"${trimmed.slice(0, 40)}" is not tag=value`);
      continue;
    }
    const name = trimmed.slice(0, eq).trim().toLowerCase();
    const value = trimmed.slice(eq + 1).trim();
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      errors.push(`bad tag name "${name.slice(0, 40)}"`);
      continue;
    }
    if (seen.has(name)) errors.push(`duplicate tag "${name}"`);
    seen.add(name);
    tags.push({ name, value });
  }
  return { tags, errors };
}

/** The value of a tag, or undefined. */
export function tagValue(list: TagList, name: string): string | undefined {
  return list.tags.find((t) => t.name === name)?.value;
}
