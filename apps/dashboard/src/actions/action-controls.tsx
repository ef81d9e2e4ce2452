import type { ApiFailureKind } from '../api/api-client.util';
import type { ActionRow } from '../api/api-views.util';
import { runActionCommand } from './action-commands.actions';

const DONE: Readonly<Record<string, string>> = {
  created: 'The action was created and is scheduled.',
  pause: 'The action is paused: it will not run on its schedule until resumed.',
  resume: 'The action is active again and runs on its schedule.',
  run: 'A run was requested; it appears under Runs when it finishes.',
};

const FAILED: Readonly<Record<ApiFailureKind | 'invalid', string>> = {
  unauthorized: 'Your session has ended. Please sign in again.',
  forbidden: 'You are not allowed to change actions with your token.',
  'not-found': 'That action no longer exists, or the engine does not offer this yet.',
  invalid: 'The engine refused the request.',
  unreachable: 'The engine cannot be reached right now. Nothing was changed.',
  error: 'The engine could not do this right now. Try again in a moment.',
};

/** The message for `?done=` / `?failed=` after a command: fixed texts only, never text from the URL. */
export function ActionOutcome({ params }: { readonly params: Readonly<Record<string, string | string[] | undefined>> }) {
  const done = typeof params['done'] === 'string' ? DONE[params['done']] : undefined;
  const failedKey = params['failed'];
  const failed = typeof failedKey === 'string' && Object.hasOwn(FAILED, failedKey) ? FAILED[failedKey as ApiFailureKind] : undefined;
  return (
    <>
      {done && (
        <p className="notice" role="status" data-testid="action-done">
          {done}
        </p>
      )}
      {failed && (
        <p className="notice notice-error" role="alert" data-testid="action-failed">
          {failed}
        </p>
      )}
    </>
  );
}

/**
 * Pause/resume and run-now for one action. Render only for tokens with `actions.write`. One small
 * form per button: works without JavaScript, and each button's name says which action it acts on.
 */
export function ActionControls({
  action,
  back = '/actions',
  runOnly = false,
}: {
  readonly action: ActionRow;
  readonly back?: string;
  readonly runOnly?: boolean;
}) {
  const toggle = action.status === 'paused' ? 'resume' : 'pause';
  return (
    <div className="controls">
      {!runOnly && (
        <form action={runActionCommand}>
          <input type="hidden" name="id" value={action.id} />
          <input type="hidden" name="command" value={toggle} />
          <input type="hidden" name="back" value={back} />
          <button type="submit" className="button button-small" aria-label={`${toggle === 'pause' ? 'Pause' : 'Resume'} ${action.name}`}>
            {toggle === 'pause' ? 'Pause' : 'Resume'}
          </button>
        </form>
      )}
      <form action={runActionCommand}>
        <input type="hidden" name="id" value={action.id} />
        <input type="hidden" name="command" value="run" />
        <input type="hidden" name="back" value={back} />
        <button type="submit" className="button button-small" aria-label={`Run ${action.name} now`}>
          Run now
        </button>
      </form>
    </div>
  );
}
