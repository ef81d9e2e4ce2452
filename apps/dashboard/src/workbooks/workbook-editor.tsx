'use client';

import { useDeferredValue, useMemo, useRef, useState, useTransition } from 'react';
import { DryRunResults } from './dry-run-results';
import { shapeDryRun } from './dry-run-report.util';
import { lineColumnAt, type SourcePosition } from './json-source.util';
import { dryRunSpec, saveSpec, type EditorOutcome } from './workbook.actions';
import { checkSpecText, placeServerErrors, type SpecProblem } from './workbook-validation.util';

export interface WorkbookEditorProps {
  /** The text to start from (a stored spec pretty-printed, or a template). */
  readonly initialText: string;
  /** The workbook and version this edit starts from; `null` for a new workbook. */
  readonly basedOn: { readonly name: string; readonly version: number } | null;
  /** Viewers (no `actions.write`): the text and its check only, no Dry run or Save. */
  readonly readOnly?: boolean;
}

/**
 * The workbook spec as JSON in a plain, monospace textarea (Tab leaves it, as everywhere else),
 * checked as you type against the shared schema; Dry run shows each step's result, Save stores
 * the next version. The engine stays the validator: its refusals appear beside the editor.
 */
export function WorkbookEditor({ initialText, basedOn, readOnly = false }: WorkbookEditorProps) {
  const [text, setText] = useState(initialText);
  const [caret, setCaret] = useState<SourcePosition>(() => lineColumnAt(initialText, 0));
  const [outcome, setOutcome] = useState<{ result: EditorOutcome; text: string; action: 'dry-run' | 'save' } | null>(null);
  const [pending, startTransition] = useTransition();
  const [running, setRunning] = useState<'dry-run' | 'save' | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  // Checking a large spec on every keystroke would make typing lag: check the deferred text.
  const deferred = useDeferredValue(text);
  const check = useMemo(() => checkSpecText(deferred), [deferred]);
  const serverProblems = useMemo(() => (outcome?.result.kind === 'refused' ? placeServerErrors(outcome.text, outcome.result.errors) : []), [outcome]);

  const goTo = (at: SourcePosition): void => {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(at.offset, at.offset);
    setCaret(lineColumnAt(el.value, at.offset));
  };

  const submit = (action: 'dry-run' | 'save'): void => {
    const sent = text;
    setRunning(action);
    startTransition(async () => {
      const result = action === 'dry-run' ? await dryRunSpec(sent) : await saveSpec(sent, basedOn);
      // A successful save navigates to the new version (the action redirects) and returns nothing.
      if (result) setOutcome({ result, text: sent, action });
      setRunning(null);
    });
  };

  const invalid = check.kind !== 'valid';
  const specName = check.kind === 'syntax' ? undefined : (check.spec as { name?: unknown } | null)?.name;
  const saveLabel = basedOn && specName === basedOn.name ? `Save as version ${basedOn.version + 1}` : 'Save';
  return (
    <div className="workbook-editor" data-testid="workbook-editor">
      <div className={`field${invalid ? ' field-invalid' : ''}`}>
        <label htmlFor="workbook-spec">Workbook spec (JSON)</label>
        <p className="hint" id="workbook-spec-hint">
          Steps run in order; <code>{'${ctx.key}'}</code> uses a value an earlier step extracted. Format: docs/workbooks.md. Checked as you type; Tab moves on
          to the next control.
        </p>
        <textarea
          ref={area}
          id="workbook-spec"
          className="mono spec-text"
          value={text}
          readOnly={readOnly}
          rows={Math.min(40, Math.max(16, text.split('\n').length + 1))}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          aria-invalid={invalid || undefined}
          aria-describedby="workbook-spec-hint spec-check"
          onChange={(event) => {
            setText(event.target.value);
            setCaret(lineColumnAt(event.target.value, event.target.selectionStart));
          }}
          onSelect={(event) => setCaret(lineColumnAt(event.currentTarget.value, event.currentTarget.selectionStart))}
        />
        <p className="hint" aria-live="off" data-testid="caret">
          Line {caret.line}, column {caret.column}
        </p>
      </div>
      <SpecCheckPanel check={check} goTo={goTo} />
      {!readOnly && (
        <div className="controls editor-controls">
          <button type="button" className="button" disabled={pending || check.kind === 'syntax'} onClick={() => submit('dry-run')}>
            {running === 'dry-run' ? 'Running…' : 'Dry run'}
          </button>
          <button type="button" className="button button-primary" disabled={pending || check.kind === 'syntax'} onClick={() => submit('save')}>
            {running === 'save' ? 'Saving…' : saveLabel}
          </button>
          {check.kind === 'invalid' && <span className="muted">The engine will refuse this spec until the problems above are fixed.</span>}
        </div>
      )}
      {outcome && (
        <OutcomePanel
          outcome={outcome.result}
          action={outcome.action}
          serverProblems={serverProblems}
          stale={outcome.text !== text}
          goTo={outcome.text === text ? goTo : null}
        />
      )}
    </div>
  );
}

/** The live check of the text: where the JSON breaks, or each schema problem with its line. */
function SpecCheckPanel({ check, goTo }: { readonly check: ReturnType<typeof checkSpecText>; readonly goTo: (at: SourcePosition) => void }) {
  if (check.kind === 'valid') {
    const steps = Array.isArray(check.spec['steps']) ? check.spec['steps'].length : 0;
    return (
      <p id="spec-check" className="notice notice-ok" role="status" data-testid="spec-check" data-state="valid">
        Valid workbook spec: {steps} step{steps === 1 ? '' : 's'}.
      </p>
    );
  }
  if (check.kind === 'syntax') {
    return (
      <div id="spec-check" className="notice notice-error" role="status" data-testid="spec-check" data-state="syntax">
        <strong>Not valid JSON</strong> at line {check.error.line}, column {check.error.column}: {check.error.message}.{' '}
        <button type="button" className="button button-small button-quiet" onClick={() => goTo(check.error)}>
          Go to line {check.error.line}
        </button>
      </div>
    );
  }
  return (
    <div id="spec-check" className="notice notice-error" role="status" data-testid="spec-check" data-state="invalid">
      <strong>
        {check.problems.length} problem{check.problems.length === 1 ? '' : 's'} with the spec
      </strong>
      <ProblemList problems={check.problems} goTo={goTo} testId="spec-problem" />
    </div>
  );
}

function ProblemList({
  problems,
  goTo,
  testId,
}: {
  readonly problems: readonly SpecProblem[];
  readonly goTo: ((at: SourcePosition) => void) | null;
  readonly testId: string;
}) {
  return (
    <ul className="problem-list">
      {problems.map((problem, i) => (
        <li key={i} data-testid={testId} data-path={problem.path}>
          {problem.at && goTo ? (
            <button
              type="button"
              className="button button-small button-quiet"
              onClick={() => goTo(problem.at!)}
              aria-label={`Go to line ${problem.at.line}: ${problem.message}`}
            >
              line {problem.at.line}
            </button>
          ) : problem.at ? (
            <span className="muted">line {problem.at.line} </span>
          ) : null}{' '}
          <code>{problem.message}</code>
        </li>
      ))}
    </ul>
  );
}

const ACTION_WORD = { 'dry-run': 'dry run', save: 'save' } as const;

/** What the engine answered to the last Dry run or Save. */
function OutcomePanel({
  outcome,
  action,
  serverProblems,
  stale,
  goTo,
}: {
  readonly outcome: EditorOutcome;
  readonly action: 'dry-run' | 'save';
  readonly serverProblems: readonly SpecProblem[];
  readonly stale: boolean;
  readonly goTo: ((at: SourcePosition) => void) | null;
}) {
  if (outcome.kind === 'dry-run') return <DryRunResults view={shapeDryRun(outcome.report)} stale={stale} />;
  if (outcome.kind === 'failed') {
    return (
      <p className="notice notice-error" role="alert" data-testid="editor-failed">
        <strong>The {ACTION_WORD[action]} did not happen.</strong> {outcome.message}
      </p>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-testid="server-errors">
      <strong>
        The engine refused the {ACTION_WORD[action]}
        {outcome.status === 409 ? ' (the workbook was saved meanwhile)' : ''}.
      </strong>{' '}
      {serverProblems.length === 0 ? outcome.message : null}
      {stale && <span className="muted"> The spec has changed since.</span>}
      {serverProblems.length > 0 && <ProblemList problems={serverProblems} goTo={goTo} testId="server-problem" />}
    </div>
  );
}
