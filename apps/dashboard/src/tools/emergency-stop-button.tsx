'use client';

import { useEffect, useRef, useState } from 'react';
import { engageEmergencyStopAction } from './emergency-stop.actions';

/**
 * "Engage emergency stop" and its confirmation dialog (native `<dialog>`: focus moves into it,
 * Escape closes it, focus returns to the button). Only rendered for admin tokens.
 */
export function EmergencyStopButton() {
  const dialog = useRef<HTMLDialogElement>(null);
  // The confirmation needs JavaScript: enabled once the page is interactive.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return (
    <>
      <button type="button" className="button button-danger" disabled={!ready} onClick={() => dialog.current?.showModal()}>
        Engage emergency stop
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby="stop-dialog-title" aria-describedby="stop-dialog-text">
        <form action={engageEmergencyStopAction}>
          <h2 id="stop-dialog-title">Stop every governed tool call?</h2>
          <p id="stop-dialog-text">
            While the stop is engaged the gateway denies every governed tool call of every agent, and records each denial in the ledger. It cannot be lifted
            from the dashboard: an operator removes the sentinel file and restarts the gateway.
          </p>
          <div className="field">
            <label htmlFor="stop-reason">Reason (recorded in the ledger)</label>
            <input id="stop-reason" name="reason" type="text" maxLength={500} autoFocus />
          </div>
          <div className="controls">
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="button button-danger">
              Yes, engage the stop
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
