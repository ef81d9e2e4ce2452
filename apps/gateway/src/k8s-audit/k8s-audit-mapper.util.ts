import { createHash } from 'node:crypto';
import { MAX_BATCH_EVENTS } from '@auditstack/audit-core';
import { canonicalJson } from '@auditstack/evidence';

/**
 * The Kubernetes audit webhook backend's wire format (`audit.k8s.io/v1`,
 * https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/) mapped
 * to the stored cluster audit row (`audit.cluster_audit_events`). Pure
 * functions: no Nest, no database.
 *
 * Input is attacker-influenced: a cluster user chooses its request URI, its
 * `User-Agent`, its `X-Forwarded-For` chain (the first `sourceIPs`), object
 * names and even the audit ID (kube-apiserver takes a client's `Audit-ID`
 * header as is). None of those may be a reason to refuse an event — a
 * refused audit event is a lost one, and a long User-Agent would become a way
 * to act unaudited — so over-long values are cut and over-long lists capped,
 * deterministically (control characters replaced), and every such change is
 * flagged in the row's annotations ({@link ALTERED_ANNOTATION}). Only a malformed event (a field of the wrong
 * JSON type, a missing auditID, stage, verb or timestamp) is refused.
 * Messages name the Kubernetes field, never its value.
 */

/** The only audit API version accepted (kube-apiserver ≥ 1.12 sends it; v1beta1 was removed in 1.24). */
export const K8S_AUDIT_API_VERSION = 'audit.k8s.io/v1';

/** Bounds of the stored row (audit.cluster_audit_events, audit-core's `ClusterAuditEventSchema`), in UTF-16 code units. */
export const K8S_AUDIT_BOUNDS = {
  auditId: 128,
  /** stage, level (enums) and verb. */
  code: 64,
  user: 512,
  userGroups: 64,
  group: 256,
  sourceIps: 16,
  sourceIp: 64,
  userAgent: 512,
  apiGroup: 256,
  apiVersion: 64,
  resource: 256,
  namespace: 256,
  name: 512,
  requestUri: 4096,
  annotations: 64,
  annotationKey: 316,
  annotationValue: 1024,
  timestamp: 64,
} as const;

/**
 * Annotation added to a row when a value had to be altered to fit the row:
 * cut to its bound, a list capped, control characters or lone surrogates
 * replaced by U+FFFD, an out-of-range status code dropped. Its value lists the
 * Kubernetes fields concerned (e.g. `sourceIPs,userAgent`).
 */
export const ALTERED_ANNOTATION = 'auditstack.dev/altered-fields';
/**
 * Annotation added when a request or response body could not be put in RFC
 * 8785 canonical form (nested deeper than 512 levels, or holding a number
 * beyond double range): its hash is then the SHA-256 of the body's plain
 * `JSON.stringify` text; the value names the body (`requestObject`).
 */
export const NON_CANONICAL_ANNOTATION = 'auditstack.dev/non-canonical-body-hash';

/** The envelope (the request body itself) is not an audit Event or EventList: the whole request is refused. */
export class K8sAuditEnvelopeError extends Error {
  override readonly name = 'K8sAuditEnvelopeError';
  constructor(
    message: string,
    /** The list holds more than {@link MAX_BATCH_EVENTS} items (413 rather than 400). */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/** What the envelope held: its items, and whether it was a lone `Event` rather than an `EventList`. */
export interface K8sAuditEnvelope {
  readonly single: boolean;
  readonly items: readonly unknown[];
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads the request body as kube-apiserver's webhook sends it: an
 * `audit.k8s.io/v1` `EventList` (`{kind, apiVersion, metadata, items}`), or a
 * single `Event`. Only the envelope is checked here; each item is mapped on its
 * own ({@link mapK8sAuditEvent}) so one bad item never fails the others.
 *
 * @throws K8sAuditEnvelopeError when the body is neither, or holds more than
 *   {@link MAX_BATCH_EVENTS} items.
 */
export function readK8sAuditEnvelope(body: unknown): K8sAuditEnvelope {
  if (!isObject(body)) throw new K8sAuditEnvelopeError(`body: must be an ${K8S_AUDIT_API_VERSION} EventList or Event (a JSON object)`);
  if (body['apiVersion'] !== K8S_AUDIT_API_VERSION) throw new K8sAuditEnvelopeError(`apiVersion: must be ${K8S_AUDIT_API_VERSION}`);
  const kind = body['kind'];
  if (kind === 'Event') return { single: true, items: [body] };
  if (kind !== 'EventList') throw new K8sAuditEnvelopeError('kind: must be EventList or Event');
  const items = body['items'];
  // Go marshals an empty slice as null: an EventList without items is an empty list, not an error.
  if (items === undefined || items === null) return { single: false, items: [] };
  if (!Array.isArray(items)) throw new K8sAuditEnvelopeError('items: must be an array of audit Events');
  if (items.length > MAX_BATCH_EVENTS)
    throw new K8sAuditEnvelopeError(`items: an EventList holds at most ${MAX_BATCH_EVENTS} events, got ${items.length}`, true);
  return { single: false, items };
}

/** SHA-256 and size of a body that is never stored. */
export interface BodyDigest {
  /** 64 lowercase hex, or null when the event carried no such body. */
  readonly sha256: string | null;
  /** Bytes of the hashed text (UTF-8); 0 when absent. */
  readonly size: number;
  /** True when the body could not be canonicalised and its plain JSON text was hashed instead. */
  readonly nonCanonical: boolean;
}

/**
 * Reduces a request or response object to the SHA-256 of its RFC 8785
 * canonical JSON and that text's size in bytes: the body itself is never
 * stored (the privacy promise). The same object always gives the same hash,
 * whatever key order the API server used, so a body can later be matched
 * against a copy without the audit log ever holding it.
 */
export function digestBody(value: unknown): BodyDigest {
  if (value === undefined || value === null) return { sha256: null, size: 0, nonCanonical: false };
  let text: string;
  let nonCanonical = false;
  try {
    text = canonicalJson(value);
  } catch {
    // Nested deeper than canonical JSON allows (512 levels), or a number JSON.parse made infinite (1e400):
    // hash the plain JSON text instead, flagged on the row.
    text = JSON.stringify(value);
    nonCanonical = true;
  }
  const bytes = Buffer.from(text, 'utf8');
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, nonCanonical };
}

// C0 controls except tab, LF and CR, and DEL (refused in stored text), and lone surrogates (refused by jsonb).
const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with control characters (other than tab and newlines) and lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/**
 * Cuts `text` to at most `max` UTF-16 code units, ending with `…`, never
 * splitting a surrogate pair. Returns the text unchanged when it fits.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The Kubernetes field each stored column comes from (to name it in messages). */
export const K8S_FIELD_OF_COLUMN: Readonly<Record<string, string>> = Object.freeze({
  ts: 'stageTimestamp',
  audit_id: 'auditID',
  stage: 'stage',
  level: 'level',
  cluster_id: 'cluster_id',
  verb: 'verb',
  username: 'user.username',
  user_groups: 'user.groups',
  impersonated_user: 'impersonatedUser.username',
  source_ips: 'sourceIPs',
  user_agent: 'userAgent',
  api_group: 'objectRef.apiGroup',
  api_version: 'objectRef.apiVersion',
  resource: 'objectRef.resource',
  subresource: 'objectRef.subresource',
  namespace: 'objectRef.namespace',
  name: 'objectRef.name',
  request_uri: 'requestURI',
  response_code: 'responseStatus.code',
  request_received_ts: 'requestReceivedTimestamp',
  request_object_sha256: 'requestObject',
  request_object_size: 'requestObject',
  response_object_sha256: 'responseObject',
  response_object_size: 'responseObject',
  annotations: 'annotations',
});

/**
 * Rewrites a validation message that names a stored column
 * (`username: must be …`) to name the Kubernetes field instead
 * (`user.username: must be …`), so the sender recognises it.
 */
export function renameColumnInMessage(message: string): string {
  const m = /^([a-z_]+)((?:\[[^\]]*\]|\.[A-Za-z0-9_-]+)*): /.exec(message);
  if (!m) return message;
  const field = Object.hasOwn(K8S_FIELD_OF_COLUMN, m[1]!) ? K8S_FIELD_OF_COLUMN[m[1]!] : undefined;
  return field === undefined ? message : `${field}${m[2]}: ${message.slice(m[0].length)}`;
}

/** The stored row (before the schema parses it); `event_id` is left to the ingest path, which derives it from the row's canonical content. */
export type ClusterAuditRowInput = Record<string, unknown>;

/** Reads one event's fields, collecting a message per malformed field and the list of fields it had to cut. */
class EventReader {
  readonly errors: string[] = [];
  readonly altered = new Set<string>();

  constructor(private readonly event: Record<string, unknown>) {}

  /** The object at `path` (absent or null: null); anything else is an error. */
  object(path: string): Record<string, unknown> | null {
    const value = this.event[path];
    if (value === undefined || value === null) return null;
    if (!isObject(value)) {
      this.errors.push(`${path}: must be a JSON object`);
      return null;
    }
    return value;
  }

  /**
   * A string field of `from` (absent, null or empty: null), cut to `max`.
   * `required` refuses it when absent.
   */
  text(from: Record<string, unknown> | null, key: string, field: string, max: number, required = false): string | null {
    const value = from?.[key];
    if (value === undefined || value === null || value === '') {
      if (required) this.errors.push(`${field}: required`);
      return null;
    }
    if (typeof value !== 'string') {
      this.errors.push(`${field}: must be a string`);
      return null;
    }
    return this.fit(value, max, field);
  }

  /** `value` made storable and cut to `max`; the field is flagged when that changed it. */
  fit(value: string, max: number, field: string): string {
    const fitted = truncateText(storableText(value), max);
    if (fitted !== value) this.altered.add(field);
    return fitted;
  }

  /** A list of strings (absent or null: empty), capped at `max` items (the first, or with `keepLast` the last), each cut to `maxEach`. */
  strings(from: Record<string, unknown> | null, key: string, field: string, max: number, maxEach: number, keepLast = false): string[] {
    const value = from?.[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.errors.push(`${field}: must be an array of strings`);
      return [];
    }
    let list = value as string[];
    if (list.length > max) {
      list = keepLast ? list.slice(list.length - max) : list.slice(0, max);
      this.altered.add(field);
    }
    return list.map((s) => this.fit(s, maxEach, field));
  }
}

/**
 * Annotations (string → string): at most 62 kept (in key order), keys cut to
 * 316 and values to 1,024; two slots stay free for our own flags, and a key of
 * ours (`auditstack.dev/…`) sent by the cluster is dropped, so a flag is never forged.
 */
function readAnnotations(reader: EventReader, event: Record<string, unknown>): Record<string, string> {
  const value = event['annotations'];
  if (value === undefined || value === null) return {};
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    reader.errors.push('annotations: must be an object of string values');
    return {};
  }
  const all = Object.keys(value).sort();
  const keys = all.filter((k) => k !== '' && !k.startsWith('auditstack.dev/'));
  const room = K8S_AUDIT_BOUNDS.annotations - 2;
  if (keys.length !== all.length || keys.length > room) reader.altered.add('annotations');
  const out: Record<string, string> = {};
  for (const key of keys.slice(0, room)) {
    // A cut key could meet another one: the first (in key order) wins, and the row is flagged.
    const cutKey = reader.fit(key, K8S_AUDIT_BOUNDS.annotationKey, 'annotations');
    if (Object.hasOwn(out, cutKey)) continue;
    out[cutKey] = reader.fit(value[key] as string, K8S_AUDIT_BOUNDS.annotationValue, 'annotations');
  }
  return out;
}

/**
 * Maps one audit `Event` (an item of an `EventList`) to the stored cluster
 * audit row. `clusterId` (`K8S_AUDIT_CLUSTER_ID`) is stamped on the row.
 * Bodies (`requestObject`, `responseObject`, present at the `Request` and
 * `RequestResponse` levels) are reduced to SHA-256 + size; `user.extra`,
 * `user.uid` and `responseStatus` beyond its code are not kept.
 *
 * @returns the row, or the reasons the item is refused (each naming a Kubernetes field).
 */
export function mapK8sAuditEvent(item: unknown, clusterId: string | null): { row: ClusterAuditRowInput } | { errors: string[] } {
  if (!isObject(item)) return { errors: ['must be an audit Event (a JSON object)'] };
  // Items of a webhook EventList usually omit kind and apiVersion; when present they must name an audit Event.
  if (item['kind'] !== undefined && item['kind'] !== 'Event') return { errors: ['kind: must be Event'] };
  if (item['apiVersion'] !== undefined && item['apiVersion'] !== K8S_AUDIT_API_VERSION) {
    return { errors: [`apiVersion: must be ${K8S_AUDIT_API_VERSION}`] };
  }
  const r = new EventReader(item);
  const B = K8S_AUDIT_BOUNDS;
  const root = item;
  const user = r.object('user');
  const impersonated = r.object('impersonatedUser');
  const objectRef = r.object('objectRef');
  const responseStatus = r.object('responseStatus');

  // A client may choose its Audit-ID header, which kube-apiserver takes as the event's auditID.
  const auditId = r.text(root, 'auditID', 'auditID', B.auditId, true);
  const stage = r.text(root, 'stage', 'stage', B.code, true);
  const level = r.text(root, 'level', 'level', B.code, true);
  const verb = r.text(root, 'verb', 'verb', B.code, true);
  const requestUri = r.text(root, 'requestURI', 'requestURI', B.requestUri, true);
  const stageTs = r.text(root, 'stageTimestamp', 'stageTimestamp', B.timestamp);
  const receivedTs = r.text(root, 'requestReceivedTimestamp', 'requestReceivedTimestamp', B.timestamp);
  // The API server always sets stageTimestamp; an event without one falls back to the time the request was received.
  const ts = stageTs ?? receivedTs;
  if (ts === null && !r.errors.some((e) => e.startsWith('stageTimestamp') || e.startsWith('requestReceivedTimestamp'))) {
    r.errors.push('stageTimestamp: required');
  }

  let responseCode: number | null = null;
  const code = responseStatus?.['code'];
  if (code !== undefined && code !== null) {
    if (typeof code !== 'number' || !Number.isInteger(code)) r.errors.push('responseStatus.code: must be an integer');
    else if (code < 0 || code > 999) r.altered.add('responseStatus.code');
    else responseCode = code;
  }

  const row: ClusterAuditRowInput = {
    ts,
    audit_id: auditId,
    stage,
    level,
    cluster_id: clusterId,
    verb,
    username: r.text(user, 'username', 'user.username', B.user),
    user_groups: r.strings(user, 'groups', 'user.groups', B.userGroups, B.group),
    impersonated_user: r.text(impersonated, 'username', 'impersonatedUser.username', B.user),
    // All but the last source IP come from the client's X-Forwarded-For: keep the last ones, nearest the API server.
    source_ips: r.strings(root, 'sourceIPs', 'sourceIPs', B.sourceIps, B.sourceIp, true),
    user_agent: r.text(root, 'userAgent', 'userAgent', B.userAgent),
    api_group: r.text(objectRef, 'apiGroup', 'objectRef.apiGroup', B.apiGroup),
    api_version: r.text(objectRef, 'apiVersion', 'objectRef.apiVersion', B.apiVersion),
    resource: r.text(objectRef, 'resource', 'objectRef.resource', B.resource),
    subresource: r.text(objectRef, 'subresource', 'objectRef.subresource', B.resource),
    namespace: r.text(objectRef, 'namespace', 'objectRef.namespace', B.namespace),
    name: r.text(objectRef, 'name', 'objectRef.name', B.name),
    request_uri: requestUri,
    response_code: responseCode,
    request_received_ts: receivedTs,
  };
  const annotations = readAnnotations(r, item);
  if (r.errors.length > 0) return { errors: r.errors };

  const request = digestBody(item['requestObject']);
  const response = digestBody(item['responseObject']);
  const nonCanonical = [request.nonCanonical ? 'requestObject' : null, response.nonCanonical ? 'responseObject' : null].filter((f) => f !== null);
  if (r.altered.size > 0) annotations[ALTERED_ANNOTATION] = [...r.altered].sort().join(',');
  if (nonCanonical.length > 0) annotations[NON_CANONICAL_ANNOTATION] = nonCanonical.join(',');
  return {
    row: {
      ...row,
      request_object_sha256: request.sha256,
      request_object_size: request.size,
      response_object_sha256: response.sha256,
      response_object_size: response.size,
      annotations,
    },
  };
}
