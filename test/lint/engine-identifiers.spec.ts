import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ACTION_TYPES, ENGINE_CHECK_IDS, JOB_ID_PREFIXES, QUEUES, RUN_ERROR_CODES } from '@auditstack/audit-core';

/**
 * Persisted identifiers of the engine (action-type ids, queue names, run
 * error codes, engine check ids, job-id shapes) are defined once in
 * audit-core (CONVENTIONS "Identifiers that are persisted or queued"). This
 * spec reads every source file of apps/engine and libs/collectors and fails
 * when one of them spells such an identifier as a string literal where the
 * identifier is used — a rename of the constant would then orphan stored
 * rows or queued jobs silently.
 */

const root = join(__dirname, '..', '..');
const SCANNED = ['apps/engine/src', 'libs/collectors/src'];

/** One identifier spelled out instead of its constant. */
interface Finding {
  file: string;
  line: number;
  text: string;
  family: string;
}

const values = (table: Record<string, string>): Set<string> => new Set(Object.values(table));
const ACTION_TYPE_IDS = values(ACTION_TYPES);
const QUEUE_NAMES = values(QUEUES);
const RUN_ERRORS = values(RUN_ERROR_CODES);
const CHECK_IDS = values(ENGINE_CHECK_IDS);
const JOB_PREFIXES = Object.values(JOB_ID_PREFIXES);

/** Keys whose value is an action type id, a run error code, or a check id. */
const ACTION_TYPE_KEYS = new Set(['type', 'action_type', 'actionType']);
const CODE_KEYS = new Set(['code']);
const CHECK_ID_KEYS = new Set(['check_id', 'checkId']);

/** The name a literal is assigned to (`{ code: 'x' }`, `const code = c ? 'x' : 'y'`, `a.type === 'x'`), through conditionals and parentheses. */
function contextName(node: ts.Node): string | undefined {
  let current: ts.Node = node;
  for (let parent = node.parent; parent; current = parent, parent = parent.parent) {
    if (ts.isConditionalExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) continue;
    if (ts.isBinaryExpression(parent)) {
      const op = parent.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) continue;
      if ([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsToken].includes(op)) {
        const other = parent.left === current ? parent.right : parent.left;
        if (ts.isPropertyAccessExpression(other)) return other.name.text;
        if (ts.isIdentifier(other)) return other.text;
      }
      return undefined;
    }
    if (
      (ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isPropertyDeclaration(parent)) &&
      parent.name &&
      ts.isIdentifier(parent.name)
    ) {
      return parent.name.text;
    }
    if (ts.isPropertyAssignment(parent) && ts.isStringLiteral(parent.name)) return parent.name.text;
    if (ts.isCallExpression(parent)) {
      const callee = ts.isPropertyAccessExpression(parent.expression)
        ? parent.expression.name.text
        : ts.isIdentifier(parent.expression)
          ? parent.expression.text
          : '';
      return `call:${callee}`;
    }
    return undefined;
  }
  return undefined;
}

/** Every persisted identifier spelled as a literal in `source`. */
export function identifierLiterals(source: string, file: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, family: string): void => {
    findings.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText(sf).slice(0, 80), family });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const text = node.text;
      const name = contextName(node);
      if (QUEUE_NAMES.has(text)) report(node, 'queue name (QUEUES)');
      if (ACTION_TYPE_IDS.has(text) && name !== undefined && (ACTION_TYPE_KEYS.has(name) || name === 'call:enqueue'))
        report(node, 'action type id (ACTION_TYPES)');
      if (RUN_ERRORS.has(text) && name !== undefined && (CODE_KEYS.has(name) || name === 'call:recordError')) report(node, 'run error code (RUN_ERROR_CODES)');
      if (CHECK_IDS.has(text) && name !== undefined && CHECK_ID_KEYS.has(name)) report(node, 'check id (ENGINE_CHECK_IDS)');
    }
    // Job ids are built, not compared: a literal or a template starting with a persisted prefix.
    const head = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : ts.isTemplateExpression(node) ? node.head.text : undefined;
    if (head !== undefined && JOB_PREFIXES.some((prefix) => head.startsWith(prefix))) report(node, 'job id prefix (JOB_ID_PREFIXES)');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.(spec|int-spec)\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('persisted engine identifiers are used through their audit-core constants', () => {
  it.each<[string, string, string]>([
    ['a run error code', `const outcome = { error: { code: 'timeout', message } };`, 'run error code (RUN_ERROR_CODES)'],
    ['a run error code chosen by a condition', `const code: RunErrorCode = timedOut ? 'timeout' : 'handler_failed';`, 'run error code (RUN_ERROR_CODES)'],
    ['a run error code passed to recordError', `await this.recordError(action, base, at, 'unknown_type', message);`, 'run error code (RUN_ERROR_CODES)'],
    ['an action type id', `@ActionType({ type: 'tls_cert', config })`, 'action type id (ACTION_TYPES)'],
    ['an action type compared', `if (row.action_type === 'workbook') run();`, 'action type id (ACTION_TYPES)'],
    ['a queue name', `new Queue('auditstack-checks', options);`, 'queue name (QUEUES)'],
    ['an engine check id', `const check = { check_id: 'infra_docs_check', target };`, 'check id (ENGINE_CHECK_IDS)'],
    ['a job id shape', 'const jobId = `manual-${runId}`;', 'job id prefix (JOB_ID_PREFIXES)'],
  ])('catches %s spelled as a literal', (_what, code, family) => {
    expect(identifierLiterals(code, 'planted.ts').map((f) => f.family)).toContain(family);
  });

  it('leaves the same words alone where they are not identifiers (prose, other fields)', () => {
    const code = `const step = { kind: 'http' }; logger.warn('timeout while waiting'); const r = { reason: 'timeout' };`;
    expect(identifierLiterals(code, 'planted.ts')).toEqual([]);
  });

  it('apps/engine and libs/collectors spell no persisted identifier as a literal', () => {
    const findings = SCANNED.flatMap((dir) => sourceFiles(join(root, dir))).flatMap((path) =>
      identifierLiterals(readFileSync(path, 'utf8'), relative(root, path)),
    );
    expect(findings).toEqual([]);
  });
});
