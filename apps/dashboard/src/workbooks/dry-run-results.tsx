'use client';

import { Fragment, useState } from 'react';
import { describeCounts, formatDuration, type DryRunView, type StepRow } from './dry-run-report.util';

const VERDICT_TONE: Readonly<Record<string, string>> = {
  pass: 'notice notice-ok',
  warn: 'notice notice-warn',
  fail: 'notice notice-error',
  error: 'notice notice-error',
};

/** A dry run: the verdict, one row per step (its evidence in a row below, on demand), and the context the steps extracted. */
export function DryRunResults({ view, stale }: { readonly view: DryRunView; readonly stale: boolean }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (id: string): void =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section aria-labelledby="dry-run-heading" className="section" data-testid="dry-run">
      <h2 id="dry-run-heading">Dry run of {view.name}</h2>
      <p className={VERDICT_TONE[view.verdict] ?? 'notice'} role="status" data-testid="dry-run-verdict" data-verdict={view.verdict}>
        <strong>Verdict: {view.verdict}</strong> — {describeCounts(view.counts)} in {formatDuration(view.durationMs)}. Nothing was stored.
        {stale && <span className="muted"> The spec has changed since this run.</span>}
      </p>
      <div className="table-scroll" role="region" aria-label="Dry-run steps" tabIndex={0}>
        <table className="data-table dry-run-table">
          <caption className="visually-hidden">Dry-run steps, in order</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Message</th>
              <th scope="col" className="numeric">
                Duration
              </th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {view.steps.length === 0 && (
              <tr>
                <td colSpan={6} className="empty" data-testid="empty">
                  The workbook has no steps.
                </td>
              </tr>
            )}
            {view.steps.map((step, i) => {
              const expanded = open.has(step.id);
              const detailsId = `step-details-${i}`;
              return (
                <Fragment key={`${i}-${step.id}`}>
                  <tr data-testid="step-row">
                    <td className="nowrap">
                      <code>{step.id}</code>
                    </td>
                    <td>{step.kind}</td>
                    <td>
                      <span className={`pill pill-${step.status}`} data-testid="step-status">
                        {step.status}
                      </span>
                    </td>
                    <td className="step-message">{step.message}</td>
                    <td className="numeric nowrap">{formatDuration(step.durationMs)}</td>
                    <td>
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        aria-expanded={expanded}
                        aria-controls={detailsId}
                        onClick={() => toggle(step.id)}
                      >
                        {expanded ? 'Hide' : 'Evidence'}
                        <span className="visually-hidden"> of step {step.id}</span>
                      </button>
                    </td>
                  </tr>
                  {expanded && (
                    <tr className="step-details-row">
                      <td colSpan={6} id={detailsId}>
                        <StepDetails step={step} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3>Extracted context</h3>
      {view.context.length === 0 ? (
        <p className="muted" data-testid="dry-run-context">
          No values were extracted.
        </p>
      ) : (
        <dl className="facts" data-testid="dry-run-context">
          {view.context.map((entry) => (
            <div key={entry.key}>
              <dt>
                <code>{entry.key}</code>
              </dt>
              <dd>
                <code>{entry.value}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** What a step observed and checked: target, assertions with actual values, collector checks, extracted values, raw evidence. */
export function StepDetails({ step }: { readonly step: StepRow }) {
  return (
    <div className="step-details">
      {step.target && (
        <p>
          Target: <code className="hash">{step.target}</code>
        </p>
      )}
      {step.dependsOn && <p>Not run: it needs values from {step.dependsOn.join(', ')}.</p>}
      {step.assertions.length > 0 && (
        <table className="data-table compact" aria-label={`Assertions of step ${step.id}`}>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Op</th>
              <th scope="col">Expected</th>
              <th scope="col">Actual</th>
              <th scope="col">Holds</th>
            </tr>
          </thead>
          <tbody>
            {step.assertions.map((a, i) => (
              <tr key={i}>
                <td>
                  <code>{a.path}</code>
                </td>
                <td>{a.op}</td>
                <td>
                  <code>{a.expected}</code>
                </td>
                <td>
                  <code>{a.actual}</code>
                </td>
                <td>
                  {a.ok ? (
                    <span className="pill pill-pass">yes</span>
                  ) : (
                    <span className="pill pill-fail" title={a.reason ?? undefined}>
                      no
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {step.collectorChecks.length > 0 && (
        <ul className="verify-steps">
          {step.collectorChecks.map((c) => (
            <li key={c.checkId}>
              <span className={`pill pill-${c.status}`}>{c.status}</span> <code>{c.checkId}</code> {c.message}
            </li>
          ))}
        </ul>
      )}
      {Object.keys(step.extracted).length > 0 && (
        <p>
          Extracted: <code>{JSON.stringify(step.extracted)}</code>
        </p>
      )}
      <details>
        <summary>Raw evidence</summary>
        <pre className="note" tabIndex={0} aria-label={`Raw evidence of step ${step.id}`}>
          {JSON.stringify(step.evidence, null, 2)}
        </pre>
      </details>
    </div>
  );
}
