/**
 * OTLP `AnyValue` / `KeyValue` helpers (opentelemetry-proto common/v1), over
 * the OTLP/JSON shape both encodings are decoded to. Every value here is
 * attacker controlled: nesting is bounded, nothing is echoed.
 */

/** An OTLP/JSON `AnyValue` (exactly one member set; an empty object is an empty value). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: unknown[] };
  kvlistValue?: { values?: unknown[] };
}

/** An OTLP/JSON `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

/** How deep an `AnyValue` may nest (arrays and key-value lists); deeper is refused. */
export const MAX_ANY_VALUE_DEPTH = 16;

/** A JSON value an `AnyValue` stands for. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** An `AnyValue` nests deeper than {@link MAX_ANY_VALUE_DEPTH} or is not an AnyValue. */
export class AnyValueError extends Error {
  override readonly name = 'AnyValueError';
}

/**
 * The JSON value of an `AnyValue`: strings, booleans; 64-bit integers as
 * numbers when exact (else their decimal string); doubles as numbers (NaN and
 * ±Infinity as their names, which JSON cannot hold); bytes as base64; arrays
 * and key-value lists as arrays and objects (a repeated key: the last wins).
 *
 * @throws AnyValueError beyond {@link MAX_ANY_VALUE_DEPTH} or on a value of the wrong type.
 */
export function plainValue(value: unknown, depth = 0): PlainValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new AnyValueError(`nests deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new AnyValueError('must be an OTLP AnyValue object');
  const v = value as OtlpAnyValue;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) {
    const n = Number(v.doubleValue);
    return Number.isFinite(n) ? n : String(v.doubleValue);
  }
  if (v.bytesValue !== undefined) return String(v.bytesValue);
  if (v.arrayValue !== undefined) {
    const values = v.arrayValue?.values ?? [];
    if (!Array.isArray(values)) throw new AnyValueError('arrayValue.values must be an array');
    return values.map((item) => plainValue(item, depth + 1));
  }
  if (v.kvlistValue !== undefined) {
    const values = v.kvlistValue?.values ?? [];
    if (!Array.isArray(values)) throw new AnyValueError('kvlistValue.values must be an array');
    return plainAttributes(values, depth + 1);
  }
  return null;
}

/**
 * A `KeyValue` list as one object (a repeated key: the last wins, as the
 * OpenTelemetry SDKs do). Keys are kept in their order of first appearance.
 */
export function plainAttributes(list: readonly unknown[] | undefined, depth = 0): { [key: string]: PlainValue } {
  const out: { [key: string]: PlainValue } = Object.create(null) as { [key: string]: PlainValue };
  for (const item of list ?? []) {
    if (item === null || typeof item !== 'object') throw new AnyValueError('attributes must be OTLP KeyValue objects');
    const { key, value } = item as OtlpKeyValue;
    if (typeof key !== 'string') throw new AnyValueError('attributes must be OTLP KeyValue objects');
    out[key] = plainValue(value, depth);
  }
  // A plain prototype again, so the result serialises and compares like any object.
  return { ...out };
}
