/** A labelled `<select>` of a GET filter form: the choice travels as `?<name>=<value>`. */
export interface FilterSelectProps<T extends string> {
  /** Query parameter name; also the element id. */
  readonly name: string;
  readonly label: string;
  readonly options: readonly T[];
  /** Current value from the URL; unknown values fall back to "any" (or the first option). */
  readonly value: string | null | undefined;
  /** Text of the empty option that removes the filter; omit when a choice is required. */
  readonly anyLabel?: string;
  /** How an option reads; defaults to the value itself. */
  readonly format?: (option: T) => string;
}

export function FilterSelect<T extends string>({ name, label, options, value, anyLabel, format }: FilterSelectProps<T>) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={value ?? ''}>
        {anyLabel !== undefined && <option value="">{anyLabel}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {format ? format(option) : option}
          </option>
        ))}
      </select>
    </div>
  );
}
