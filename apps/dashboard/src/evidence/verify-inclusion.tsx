'use client';

import { useEffect, useState } from 'react';
import { verifyEntryInclusion, type VerifyEntryReport } from './verify-entry.util';

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'done'; readonly report: VerifyEntryReport; readonly treeSize: number }
  | { readonly kind: 'not-covered'; readonly treeSize: number | null }
  | { readonly kind: 'error'; readonly message: string };

interface CheckpointsAnswer {
  items?: { tree_size: number; note: string }[];
  verifier_key?: string | null;
}

interface ProofAnswer {
  seq: number;
  tree_size: number;
  leaf_hash: string;
  proof: string[];
}

async function readJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => null)) as (T & { message?: string }) | null;
  if (!response.ok || body === null) throw new Error(body?.message ?? `The evidence service answered HTTP ${response.status}.`);
  return body;
}

/**
 * "Verify inclusion": fetches the newest signed checkpoint and the inclusion proof of ledger entry
 * `seq` (through the dashboard, which adds the token), then checks both here, in this browser, with
 * WebCrypto: the note's Ed25519 signature, and the RFC 6962 proof up to the root in the signed note.
 */
export function VerifyInclusion({ seq, leafHash }: { readonly seq: number; readonly leafHash: string | null }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  // The check runs in this browser: the button is enabled once the page's JavaScript is running.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  async function verify(): Promise<void> {
    setState({ kind: 'running' });
    try {
      const checkpoints = await readJson<CheckpointsAnswer>('/api/evidence/checkpoints?limit=1');
      const latest = checkpoints.items?.[0];
      if (!latest || latest.tree_size <= seq) {
        setState({ kind: 'not-covered', treeSize: latest?.tree_size ?? null });
        return;
      }
      const proof = await readJson<ProofAnswer>(`/api/evidence/proofs/inclusion/${seq}?tree_size=${latest.tree_size}`);
      const report = await verifyEntryInclusion({ seq, expectedLeafHash: leafHash, checkpoint: latest, verifierKey: checkpoints.verifier_key ?? null, proof });
      setState({ kind: 'done', report, treeSize: latest.tree_size });
    } catch (error) {
      setState({ kind: 'error', message: error instanceof Error ? error.message : 'The verification could not run.' });
    }
  }

  return (
    <div className="verify-inclusion">
      <button
        type="button"
        className="button"
        onClick={() => void verify()}
        disabled={!ready || state.kind === 'running'}
        aria-describedby="verify-inclusion-help"
      >
        {state.kind === 'running' ? 'Verifying…' : 'Verify inclusion'}
      </button>
      <p id="verify-inclusion-help" className="muted">
        Checks in this browser, not on our servers, that entry {seq} is in the newest signed checkpoint (RFC 6962 inclusion proof, SHA-256 and Ed25519 through
        WebCrypto).
      </p>
      <div aria-live="polite" data-testid="verify-result">
        {state.kind === 'not-covered' && (
          <p className="notice" role="status" data-outcome="not-covered">
            <strong>Not covered yet.</strong> Entry {seq} is not under a signed checkpoint yet
            {state.treeSize === null ? ' (no checkpoint has been made)' : ` (the newest covers ${state.treeSize.toLocaleString('en')} entries)`}. The next
            checkpoint will cover it; try again in a minute.
          </p>
        )}
        {state.kind === 'error' && (
          <p className="notice notice-error" role="alert" data-outcome="error">
            <strong>Could not verify.</strong> {state.message}
          </p>
        )}
        {state.kind === 'done' && (
          <div
            className={state.report.ok ? 'notice notice-ok' : 'notice notice-error'}
            role={state.report.ok ? 'status' : 'alert'}
            data-outcome={state.report.ok ? 'pass' : 'fail'}
          >
            <p>
              <strong>{state.report.ok ? 'Verified.' : 'Verification failed.'}</strong>{' '}
              {state.report.ok
                ? `Entry ${seq} is included in the signed checkpoint of ${state.treeSize.toLocaleString('en')} entries.`
                : `Entry ${seq} could not be shown to be in the checkpoint of ${state.treeSize.toLocaleString('en')} entries. Tell the platform's operators.`}
            </p>
            <ul className="verify-steps">
              {state.report.steps.map((step) => (
                <li key={step.label}>
                  <span aria-hidden="true">{step.ok === true ? '✓' : step.ok === false ? '✗' : '–'}</span> <strong>{step.label}:</strong> {step.detail}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
