import type { ReactNode } from 'react';
import { describeFields, errorsByPath, errorsFor, fieldId, initialText, unmatchedErrors, valueAt, type FieldSpec, type JsonSchema } from './schema-form.util';

export interface SchemaFormProps {
  /** JSON Schema of an object (an action type's `config_schema`). */
  readonly schema: JsonSchema;
  /** Name prefix of every input and of API error paths. @defaultValue `'config'` */
  readonly prefix?: string;
  /** Values to show, keyed from the prefix (`{ config: { url: … } }`): stored or just submitted. */
  readonly values?: unknown;
  /** Validation lines from the API (`config.url: must be a URL`), shown beside their fields. */
  readonly errors?: readonly string[];
}

/**
 * Form controls generated from a JSON Schema: text, numbers, checkboxes, selects for enums,
 * one-per-line lists of strings and nested groups, with required markers, defaults and
 * descriptions. It renders fields only; the page wraps them in a `<form>` with its server action.
 * Inputs are not `required` in HTML on purpose: the API is the one validator, and its
 * messages appear inline.
 */
export function SchemaForm({ schema, prefix = 'config', values, errors = [] }: SchemaFormProps) {
  const fields = describeFields(schema, prefix);
  const byPath = errorsByPath(errors);
  const general = unmatchedErrors(fields, byPath);
  return (
    <div className="schema-form">
      {general.length > 0 && (
        <div className="form-errors" role="alert" data-testid="form-errors">
          <p>Please correct the following:</p>
          <ul>
            {general.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
      {fields.length === 0 && <p className="muted">This type has no settings.</p>}
      {fields.map((field) => (
        <SchemaField key={field.path} field={field} values={values} errors={byPath} />
      ))}
    </div>
  );
}

function SchemaField({ field, values, errors }: { field: FieldSpec; values: unknown; errors: ReadonlyMap<string, readonly string[]> }) {
  const id = fieldId(field.path);
  const messages = errorsFor(field, errors);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const extraHint = field.kind === 'string-array' ? 'One per line.' : field.kind === 'json' ? 'JSON.' : null;
  const hintText = [field.description, extraHint].filter(Boolean).join(' ');
  const describedBy = [hintText ? hintId : null, messages.length > 0 ? errorId : null].filter(Boolean).join(' ') || undefined;
  const invalid = messages.length > 0 || undefined;

  if (field.kind === 'object') {
    return (
      <fieldset className="field-group" aria-describedby={describedBy}>
        <legend>
          {field.label}
          {field.required && <RequiredMark />}
        </legend>
        {field.description && (
          <p id={hintId} className="hint">
            {field.description}
          </p>
        )}
        <FieldErrors id={errorId} messages={messages} />
        {field.fields.map((child) => (
          <SchemaField key={child.path} field={child} values={values} errors={errors} />
        ))}
      </fieldset>
    );
  }

  const common = { id, name: field.path, 'aria-describedby': describedBy, 'aria-invalid': invalid, 'aria-required': field.required || undefined };
  const text = initialText(field, values);
  let control: ReactNode;
  switch (field.kind) {
    case 'boolean': {
      const stored = valueAt(values, field.path);
      const checked = stored === undefined ? field.defaultValue === true : stored === true;
      return (
        <div className={`field field-checkbox${invalid ? ' field-invalid' : ''}`}>
          <input type="checkbox" {...common} defaultChecked={checked} />
          <label htmlFor={id}>
            {field.label}
            {field.required && <RequiredMark />}
          </label>
          {field.description && (
            <p id={hintId} className="hint">
              {field.description}
            </p>
          )}
          <FieldErrors id={errorId} messages={messages} />
        </div>
      );
    }
    case 'enum':
      control = (
        <select {...common} defaultValue={text}>
          {(!field.required || text === '') && <option value="">{field.required ? 'Choose…' : '(not set)'}</option>}
          {field.options.map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
    case 'integer':
      control = <input type="text" inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'} {...common} defaultValue={text} />;
      break;
    case 'string-array':
      control = <textarea {...common} rows={3} defaultValue={text} />;
      break;
    case 'json':
      control = <textarea {...common} rows={4} className="mono" defaultValue={text} />;
      break;
    case 'string':
      control = <input type="text" {...common} defaultValue={text} />;
      break;
  }
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`} data-field={field.path}>
      <label htmlFor={id}>
        {field.label}
        {field.required && <RequiredMark />}
      </label>
      {hintText && (
        <p id={hintId} className="hint">
          {hintText}
        </p>
      )}
      {control}
      <FieldErrors id={errorId} messages={messages} />
    </div>
  );
}

function RequiredMark() {
  return (
    <>
      <span className="required" aria-hidden="true">
        {' '}
        *
      </span>
      <span className="visually-hidden"> (required)</span>
    </>
  );
}

function FieldErrors({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <p id={id} className="field-error" data-testid="field-error">
      {messages.join('; ')}
    </p>
  );
}
