import type { ApiResult } from '../api/api-client.util';
import type { EmergencyStop } from '../api/api-views.util';
import { Time } from '../components/time';
import { ApiProblem } from '../shell/api-problem';
import { EmergencyStopButton } from './emergency-stop-button';

const OUTCOMES: Readonly<Record<string, { text: string; error: boolean }>> = {
  engaged: { text: 'The emergency stop is engaged: every governed tool call is now denied.', error: false },
  forbidden: { text: 'Only an admin token may engage the emergency stop.', error: true },
  unreachable: { text: 'The gateway cannot be reached: the stop was NOT engaged.', error: true },
  error: { text: 'The gateway could not engage the stop. Try again, or use the sentinel file (see the operations guide).', error: true },
  invalid: { text: 'The gateway refused the request.', error: true },
};

/**
 * The kill switch for governed tool calls: its state (the gateway shows it to admins only) and,
 * for admins, the button. `state` is `null` for non-admins.
 */
export function EmergencyStopPanel({ state, outcome }: { readonly state: ApiResult<EmergencyStop> | null; readonly outcome: string | undefined }) {
  const message = outcome && Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome] : undefined;
  return (
    <section aria-labelledby="stop-heading" className="section" data-testid="emergency-stop">
      <h2 id="stop-heading">Emergency stop</h2>
      {message && (
        <p className={message.error ? 'notice notice-error' : 'notice'} role={message.error ? 'alert' : 'status'} data-testid="stop-outcome">
          {message.text}
        </p>
      )}
      {state === null ? (
        <p className="muted" data-testid="stop-state">
          The emergency stop&apos;s state and switch are shown to administrators only.
        </p>
      ) : !state.ok ? (
        <ApiProblem failure={state} what="emergency stop state" />
      ) : state.data.engaged ? (
        <p className="notice notice-error" data-testid="stop-state" data-engaged="true">
          <strong>Engaged</strong> since <Time iso={state.data.since} /> by {state.data.by ?? 'unknown'}: {state.data.reason ?? 'no reason given'}. Every
          governed tool call is denied. To lift it, an operator removes the sentinel file and restarts the gateway.
        </p>
      ) : (
        <>
          <p data-testid="stop-state" data-engaged="false">
            <span className="pill pill-active">not engaged</span> Governed tool calls are decided by the RBAC policy.
          </p>
          <EmergencyStopButton />
        </>
      )}
    </section>
  );
}
