import { HTTP, type CloudEvent } from 'cloudevents';
import { MAX_BATCH_EVENTS, quoteKey } from '@auditstack/audit-core';

/** Media type of a structured-mode CloudEvent (one event, JSON). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
/** Media type of a batch of CloudEvents (a JSON array of structured events). */
export const CLOUDEVENTS_BATCH_JSON = 'application/cloudevents-batch+json';

/** Most context attributes and extensions one event may carry (beyond: rejected). */
export const MAX_CLOUDEVENT_ATTRIBUTES = 64;
/** Longest `id`. */
export const MAX_ID_CHARS = 1024;
/** Longest `source`, `dataschema`. */
export const MAX_URI_CHARS = 2048;
/** Longest `type`, `datacontenttype`, `time`. */
export const MAX_TYPE_CHARS = 256;
/** Longest `subject`. */
export const MAX_SUBJECT_CHARS = 1024;
/** Longest extension value (extensions are checked, never stored). */
export const MAX_EXTENSION_CHARS = 4096;

/** How the HTTP request carried its CloudEvents (HTTP protocol binding 1.0). */
export type CloudEventMode = 'binary' | 'structured' | 'batch';

/**
 * One CloudEvent read from a request: the context attributes the mapping
 * uses, checked against CloudEvents 1.0 and our bounds. `data` is as sent
 * (undefined when absent); extensions are checked and then dropped.
 */
export interface CloudEventRecord {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly specversion: '1.0';
  readonly time: string | null;
  readonly subject: string | null;
  readonly datacontenttype: string | null;
  readonly dataschema: string | null;
  /** Extension attributes (checked: names a–z 0–9, scalar bounded values). */
  readonly extensions: Readonly<Record<string, string | number | boolean>>;
  readonly data: unknown;
}

/** One element of a request, read. */
export type ReadCloudEvent = { readonly index: number; readonly event: CloudEventRecord } | { readonly index: number; readonly errors: readonly string[] };

/** The body (as a whole) is not CloudEvents in any mode; `tooLarge` for a batch beyond {@link MAX_BATCH_EVENTS}. */
export class CloudEventBodyError extends Error {
  override readonly name = 'CloudEventBodyError';
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const KNOWN = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data', 'data_base64']);
// C0/C1 controls and DEL; URI-like attributes also exclude whitespace.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f]/;
const EXTENSION_NAME = /^[a-z0-9]{1,64}$/;
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json\s*(?:;.*)?$/i;

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `name: rule` problems of one attribute value, for strings with a bound and a character rule. */
function checkString(name: string, value: unknown, max: number, forbidden: RegExp, errors: string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || value.length === 0) errors.push(`${name}: must be a non-empty string`);
  else if (value.length > max) errors.push(`${name}: must be at most ${max} characters`);
  else if (forbidden.test(value)) errors.push(`${name}: must not contain control characters${forbidden === CONTROL_OR_SPACE ? ' or whitespace' : ''}`);
}

/**
 * The spec-required attributes, present as sent (before the SDK, which fills
 * a missing `id` with a random UUID and `specversion` with 1.0).
 */
function requiredProblems(raw: Readonly<Record<string, unknown>>, where: (name: string) => string): string[] {
  const errors: string[] = [];
  for (const name of REQUIRED) {
    const value = raw[name];
    if (value === undefined || value === null) errors.push(`${name}: required${where(name)}`);
    else if (typeof value !== 'string' || value.length === 0) errors.push(`${name}: must be a non-empty string`);
  }
  if (typeof raw['specversion'] === 'string' && raw['specversion'] !== '1.0' && raw['specversion'] !== '') {
    errors.push('specversion: must be "1.0" (CloudEvents 1.0)');
  }
  return errors;
}

/**
 * Checks the SDK's event against CloudEvents 1.0 and our bounds, and keeps
 * what the mapping needs. `rawTime` is the `time` as sent: the SDK replaces
 * an unparseable time with the current time and fills a missing one, which
 * an audit log must not do, so the time is taken from the request itself.
 */
function recordOf(event: CloudEvent<unknown>, rawTime: unknown): { event: CloudEventRecord } | { errors: string[] } {
  const attributes = Object.entries(event as unknown as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const errors: string[] = [];
  if (attributes.length > MAX_CLOUDEVENT_ATTRIBUTES) {
    return { errors: [`a CloudEvent carries at most ${MAX_CLOUDEVENT_ATTRIBUTES} attributes, got ${attributes.length}`] };
  }
  const a = event as unknown as Record<string, unknown>;
  checkString('id', a['id'], MAX_ID_CHARS, CONTROL, errors);
  checkString('source', a['source'], MAX_URI_CHARS, CONTROL_OR_SPACE, errors);
  checkString('type', a['type'], MAX_TYPE_CHARS, CONTROL_OR_SPACE, errors);
  checkString('time', rawTime, MAX_TYPE_CHARS, CONTROL, errors);
  checkString('subject', a['subject'], MAX_SUBJECT_CHARS, CONTROL, errors);
  checkString('dataschema', a['dataschema'], MAX_URI_CHARS, CONTROL_OR_SPACE, errors);
  checkString('datacontenttype', a['datacontenttype'], MAX_TYPE_CHARS, CONTROL, errors);
  const contentType = a['datacontenttype'];
  if (typeof contentType === 'string' && !JSON_MEDIA_TYPE.test(contentType)) {
    errors.push('datacontenttype: must be application/json (or another +json type): data must be a JSON object');
  }
  if (a['data_base64'] !== undefined) errors.push('data_base64: binary data is not accepted; data must be a JSON object');
  const extensions: Record<string, string | number | boolean> = {};
  for (const [name, value] of attributes) {
    if (KNOWN.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      errors.push(`extension attribute ${quoteKey(name)}: names must be 1–64 characters of a–z and 0–9 (CloudEvents 1.0)`);
    } else if (typeof value === 'string') {
      if (value.length > MAX_EXTENSION_CHARS) errors.push(`${name}: must be at most ${MAX_EXTENSION_CHARS} characters`);
      else extensions[name] = value;
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      extensions[name] = value;
    } else {
      errors.push(`${name}: an extension attribute must be a string, a number or a boolean`);
    }
  }
  if (errors.length > 0) return { errors };
  return {
    event: {
      id: a['id'] as string,
      source: a['source'] as string,
      type: a['type'] as string,
      specversion: '1.0',
      time: typeof rawTime === 'string' ? rawTime : null,
      subject: typeof a['subject'] === 'string' ? a['subject'] : null,
      datacontenttype: typeof contentType === 'string' ? contentType : null,
      dataschema: typeof a['dataschema'] === 'string' ? a['dataschema'] : null,
      extensions,
      data: a['data'],
    },
  };
}

/** One structured-mode event (the body of a structured request, or one element of a batch). */
export function readStructured(raw: unknown): { event: CloudEventRecord } | { errors: string[] } {
  if (!isPlainObject(raw)) return { errors: ['a CloudEvent in structured mode must be a JSON object'] };
  const keys = Object.keys(raw);
  if (keys.length > MAX_CLOUDEVENT_ATTRIBUTES) {
    return { errors: [`a CloudEvent carries at most ${MAX_CLOUDEVENT_ATTRIBUTES} attributes, got ${keys.length}`] };
  }
  const missing = requiredProblems(raw, () => '');
  if (missing.length > 0) return { errors: missing };
  if (raw['data_base64'] !== undefined) return { errors: ['data_base64: binary data is not accepted; data must be a JSON object'] };
  let event: CloudEvent<unknown>;
  try {
    event = HTTP.toEvent({ headers: { 'content-type': CLOUDEVENTS_JSON }, body: raw }) as CloudEvent<unknown>;
  } catch {
    return { errors: ['not a valid CloudEvents 1.0 event in structured mode'] };
  }
  return recordOf(event, raw['time']);
}

/** A binary-mode event: the context attributes in `ce-*` headers, the data in the body. */
export function readBinary(headers: RequestHeaders, body: unknown): { event: CloudEventRecord } | { errors: string[] } {
  const raw: Record<string, unknown> = {};
  for (const name of REQUIRED) raw[name] = headerValue(headers, `ce-${name}`);
  const missing = requiredProblems(raw, (name) => ` (header ce-${name})`);
  if (missing.length > 0) return { errors: missing };
  const plain: Record<string, string> = {};
  let count = 0;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('ce-')) {
      if (++count > MAX_CLOUDEVENT_ATTRIBUTES) {
        return { errors: [`a CloudEvent carries at most ${MAX_CLOUDEVENT_ATTRIBUTES} attributes (ce-* headers)`] };
      }
      plain[lower] = headerValue(headers, name)!;
    }
  }
  const contentType = headerValue(headers, 'content-type');
  if (contentType !== undefined) plain['content-type'] = contentType;
  let event: CloudEvent<unknown>;
  try {
    event = HTTP.toEvent({ headers: plain, body }) as CloudEvent<unknown>;
  } catch {
    return { errors: ['not a valid CloudEvents 1.0 event in binary mode'] };
  }
  return recordOf(event, plain['ce-time']);
}

/**
 * Reads a request as CloudEvents (HTTP protocol binding): a batch
 * (`application/cloudevents-batch+json`, an array of 1–{@link MAX_BATCH_EVENTS}
 * structured events, each read on its own), one structured event
 * (`application/cloudevents+json`), or one binary-mode event (`ce-*` headers,
 * data in the body). `body` is the parsed JSON body.
 *
 * @throws CloudEventBodyError when the request is none of these.
 */
export function readCloudEvents(headers: RequestHeaders, body: unknown): { mode: CloudEventMode; items: ReadCloudEvent[] } {
  const media = mediaTypeOf(headerValue(headers, 'content-type'));
  if (media === CLOUDEVENTS_BATCH_JSON) {
    if (!Array.isArray(body)) throw new CloudEventBodyError(`a ${CLOUDEVENTS_BATCH_JSON} body must be a JSON array of CloudEvents`);
    if (body.length === 0) throw new CloudEventBodyError('a batch must hold at least one CloudEvent');
    if (body.length > MAX_BATCH_EVENTS) throw new CloudEventBodyError(`a batch holds at most ${MAX_BATCH_EVENTS} CloudEvents, got ${body.length}`, true);
    return { mode: 'batch', items: body.map((element: unknown, index) => ({ index, ...readStructured(element) })) };
  }
  if (media === CLOUDEVENTS_JSON) {
    if (!isPlainObject(body)) throw new CloudEventBodyError(`a ${CLOUDEVENTS_JSON} body must be one CloudEvent (a JSON object)`);
    return { mode: 'structured', items: [{ index: 0, ...readStructured(body) }] };
  }
  if (!Object.keys(headers).some((name) => name.toLowerCase().startsWith('ce-'))) {
    throw new CloudEventBodyError(
      `not a CloudEvent: send ce-specversion, ce-id, ce-source and ce-type headers with the data as the body (binary mode), or Content-Type ${CLOUDEVENTS_JSON} (structured mode) or ${CLOUDEVENTS_BATCH_JSON} (batch)`,
    );
  }
  return { mode: 'binary', items: [{ index: 0, ...readBinary(headers, body) }] };
}
