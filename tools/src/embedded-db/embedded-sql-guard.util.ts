/**
 * Statement checks of the embedded wire server. PGlite is PostgreSQL in
 * WebAssembly inside one Node.js process: a few statements that a real server
 * survives break it (a server-side program or file write runs against the
 * engine's own in-process file system). And a datasource login that PGlite
 * cannot isolate by itself (see EmbeddedWireServer) is held to reading.
 *
 * This is a lexer, not a parser: string literals, quoted identifiers, dollar
 * quoting and comments are recognised so that a keyword inside them is not
 * mistaken for one outside, and anything it cannot classify is refused.
 */

interface Token {
  kind: 'word' | 'string' | 'semi' | 'punct' | 'param';
  /** Lower-cased word, unquoted identifier, or the literal's text. */
  value: string;
  /** A plain `'…'` literal (not E'', U&'', $$ or a quoted identifier). */
  plain?: boolean;
  /** Inside parentheses. */
  depth: number;
}

/** Splits SQL into tokens; `null` when the text cannot be lexed (unterminated literal or comment). */
function lex(sql: string): Token[] | null {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let level = 1;
      i += 2;
      while (i < n && level > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          level++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          level--;
          i += 2;
        } else i++;
      }
      if (level > 0) return null;
    } else if (c === "'" || ((c === 'e' || c === 'E') && sql[i + 1] === "'" && !/[\w$]/.test(sql[i - 1] ?? ' '))) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      let text = '';
      for (;;) {
        if (i >= n) return null;
        const d = sql[i]!;
        if (escapes && d === '\\') {
          text += sql.slice(i, i + 2);
          i += 2;
        } else if (d === "'") {
          if (sql[i + 1] === "'") {
            text += "'";
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          text += d;
          i++;
        }
      }
      tokens.push({ kind: 'string', value: text, plain: !escapes, depth });
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        const close = sql.indexOf('"', j);
        if (close < 0) return null;
        text += sql.slice(j, close);
        if (sql[close + 1] === '"') {
          text += '"';
          j = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      tokens.push({ kind: 'word', value: text.toLowerCase(), depth });
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'param', value: sql.slice(i, j), depth });
      i = j;
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (!tag) return null;
      const close = sql.indexOf(tag[0], i + tag[0].length);
      if (close < 0) return null;
      tokens.push({ kind: 'string', value: sql.slice(i + tag[0].length, close), depth });
      i = close + tag[0].length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$\u0080-\uffff]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toLowerCase();
      // U&'…' and U&"…": escapes that can spell any keyword. B'…' / X'…' / N'…' are plain bit, hex and national strings.
      if (word === 'u' && sql[j] === '&') {
        tokens.push({ kind: 'punct', value: 'u&', depth });
        i = j + 1;
        continue;
      }
      if (word.length === 1 && 'bxn'.includes(word) && sql[j] === "'") {
        i = j;
        continue;
      }
      tokens.push({ kind: 'word', value: word, depth });
      i = j;
    } else if (c === ';') {
      tokens.push({ kind: 'semi', value: ';', depth });
      i++;
    } else {
      if (c === '(') depth++;
      tokens.push({ kind: 'punct', value: c, depth });
      if (c === ')') depth = Math.max(0, depth - 1);
      i++;
    }
  }
  return tokens;
}

function statements(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'semi') out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((s) => s.length > 0);
}

const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.kind === 'word' && words.includes(t.value);

/** Why `statement` would break the embedded engine, or null. */
function engineHazard(statement: Token[]): string | null {
  const first = statement[0];
  if (isWord(first, 'copy')) {
    // The target is what follows the last top-level TO/FROM (a query in parentheses may contain FROM).
    for (let k = statement.length - 1; k > 0; k--) {
      const t = statement[k]!;
      if (t.depth === 0 && isWord(t, 'to', 'from')) {
        const target = statement[k + 1];
        if (isWord(target, 'program')) return 'COPY … PROGRAM runs a program: the embedded database cannot';
        if (target?.kind === 'string' || target?.value === 'u&')
          return "COPY to or from a server file writes the embedded database's own files: use STDIN/STDOUT (psql's \\copy)";
        break;
      }
    }
  }
  if (isWord(first, 'alter') && isWord(statement[1], 'system')) return 'ALTER SYSTEM writes a configuration the embedded database may not start with';
  for (const t of statement) {
    if (isWord(t, 'lo_import', 'lo_export')) return `${t.value} reads or writes the embedded database's own files`;
  }
  return null;
}

/** Settings a datasource reader may change (its own timeouts and transaction mode). */
const READER_SETTINGS = new Set([
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'transaction',
  'transaction_read_only',
  'application_name',
  'datestyle',
  'timezone',
  'extra_float_digits',
  'intervalstyle',
  'client_encoding',
]);
const READER_FIRST_WORDS = new Set([
  'select',
  'with',
  'values',
  'table',
  'show',
  'begin',
  'start',
  'commit',
  'end',
  'rollback',
  'abort',
  'savepoint',
  'release',
  'set',
  'reset',
  'discard',
]);

/** Why a datasource reader may not run `statement`, or null. */
function readerHazard(statement: Token[]): string | null {
  const first = statement[0]!;
  if (first.kind !== 'word' || !READER_FIRST_WORDS.has(first.value))
    return 'a datasource reader may only read (SELECT, WITH, VALUES, SHOW and transaction control)';
  for (const t of statement) {
    if (t.value === 'u&') return 'a datasource reader cannot use U& escapes';
    // SET SESSION AUTHORIZATION, the setting itself, or a role switch would undo the reader's confinement.
    if (t.kind === 'word' && (t.value === 'authorization' || t.value === 'session_authorization' || t.value === 'role'))
      return 'a datasource reader cannot change its session authorization or role';
  }
  if (first.value === 'set' || first.value === 'reset') {
    let k = 1;
    while (isWord(statement[k], 'local', 'session')) k++;
    const name = statement[k];
    if (first.value === 'reset' && isWord(name, 'all')) return null;
    if (name?.kind !== 'word' || !READER_SETTINGS.has(name.value)) return `a datasource reader may only set ${[...READER_SETTINGS].join(', ')}`;
  }
  // set_config(name, …) only with a plain literal name from the list: a computed or bound name could be session_authorization.
  statement.forEach((t, k) => {
    if (isWord(t, 'set_config')) {
      const open = statement[k + 1];
      const name = statement[k + 2];
      if (open?.value !== '(' || name?.kind !== 'string' || !name.plain || !READER_SETTINGS.has(name.value.toLowerCase())) {
        throw new GuardRefusal(`a datasource reader may call set_config only with a literal name among ${[...READER_SETTINGS].join(', ')}`);
      }
    }
  });
  return null;
}

class GuardRefusal extends Error {}

/**
 * Why the embedded server refuses to run `sql` (one Query or Parse message),
 * or null to run it. Every client: statements that break the embedded engine.
 * Datasource readers (`reader`): additionally only reading and their own
 * timeouts; one statement per message.
 */
export function embeddedRefusal(sql: string, reader: boolean): string | null {
  const tokens = lex(sql);
  if (!tokens) return reader ? 'statement not understood (unterminated literal or comment, or a U& escape)' : null;
  const list = statements(tokens);
  for (const statement of list) {
    const hazard = engineHazard(statement);
    if (hazard) return hazard;
  }
  if (!reader) return null;
  if (list.length > 1) return 'a datasource reader sends one statement at a time';
  try {
    return list[0] ? readerHazard(list[0]) : null;
  } catch (error) {
    if (error instanceof GuardRefusal) return error.message;
    throw error;
  }
}
