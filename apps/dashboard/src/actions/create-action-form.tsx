'use client';

import { useActionState, type ReactNode } from 'react';
import { SchemaForm } from '../components/schema-form';
import { errorsByPath, type JsonSchema } from '../components/schema-form.util';
import { createActionFromForm, type CreateActionState } from './create-action.actions';

const INITIAL: CreateActionState = { errors: [], values: null, attempt: 0 };

export interface CreateActionFormProps {
  readonly actionType: string;
  readonly configSchema: JsonSchema;
  readonly projects: readonly { readonly id: string; readonly name: string }[];
}

/** The create form: fixed fields, then the type's config generated from its JSON Schema; errors inline. */
export function CreateActionForm({ actionType, configSchema, projects }: CreateActionFormProps) {
  const [state, action, pending] = useActionState(createActionFromForm, INITIAL);
  const values = state.values ?? {};
  const byPath = errorsByPath(state.errors);
  // Errors on the fixed fields are shown by them; the rest (config and unmatched) go to SchemaForm.
  const fixed = ['project_id', 'name', 'schedule', 'description'];
  const rest = state.errors.filter((line) => !fixed.some((key) => line.startsWith(`${key}: `)));
  const fixedValue = (key: string): string => (typeof values[key] === 'string' ? (values[key] as string) : '');

  return (
    <form key={state.attempt} action={action} className="action-form" data-testid="create-action-form" noValidate>
      <input type="hidden" name="action_type" value={actionType} />
      <FixedField id="project_id" label="Project" errors={byPath.get('project_id')}>
        <select id="project_id" name="project_id" defaultValue={fixedValue('project_id')} aria-required="true">
          <option value="">Choose…</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </FixedField>
      <FixedField id="name" label="Name" errors={byPath.get('name')}>
        <input id="name" name="name" type="text" defaultValue={fixedValue('name')} aria-required="true" />
      </FixedField>
      <FixedField id="schedule" label="Schedule" hint="Cron, 5 fields, in UTC: 0 9 * * 1-5 is every weekday at 09:00 UTC." errors={byPath.get('schedule')}>
        <input id="schedule" name="schedule" type="text" className="mono" defaultValue={fixedValue('schedule') || '0 9 * * *'} aria-required="true" />
      </FixedField>
      <FixedField id="description" label="Description" errors={byPath.get('description')}>
        <input id="description" name="description" type="text" defaultValue={fixedValue('description')} />
      </FixedField>
      <fieldset className="field-group">
        <legend>
          Configuration of <code>{actionType}</code>
        </legend>
        <SchemaForm schema={configSchema} values={{ config: values['config'] }} errors={rest} />
      </fieldset>
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? 'Saving…' : 'Create action'}
      </button>
    </form>
  );
}

function FixedField({ id, label, hint, errors, children }: { id: string; label: string; hint?: string; errors?: readonly string[]; children: ReactNode }) {
  return (
    <div className={`field${errors ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        {label}
        {id !== 'description' && (
          <>
            <span className="required" aria-hidden="true">
              {' '}
              *
            </span>
            <span className="visually-hidden"> (required)</span>
          </>
        )}
      </label>
      {hint && <p className="hint">{hint}</p>}
      {children}
      {errors && (
        <p className="field-error" role="alert">
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}
