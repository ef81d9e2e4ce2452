import { createHash } from 'node:crypto';
import { DEMO_ID_PREFIX, DEMO_USER_PREFIX, GATEWAY_MARKERS, type LedgerRowInput } from '@auditstack/audit-core';
import { canonicalJson } from '@auditstack/evidence';

/**
 * Every identifier of the demo fleet starts with this (engines, products,
 * workspaces, agents, tools runs, policies, the cluster), so the dashboard and
 * an operator can tell demo rows from real ones at a glance.
 */
export const DEMO_PREFIX = DEMO_ID_PREFIX;
/** Users of the demo fleet: pseudonymous ids `u_demo_…` (defined once in audit-core, the dashboard reads it too). */
export { DEMO_USER_PREFIX };
/** Seed of the demo's PRNG: the same fleet every time, relative to the moment it is loaded. */
export const DEMO_SEED = 14;
/** How far back the demo reaches. */
export const DEMO_SPAN_HOURS = 48;

/** The demo rows by ledger kind, each as `insertLedgeredRows` takes it (snake_case columns). */
export interface DemoFleet {
  readonly lifecycle: LedgerRowInput[];
  readonly tool: LedgerRowInput[];
  /** `tool_call_denied` markers, as the gateway's authorize endpoint writes them. */
  readonly marker: LedgerRowInput[];
  readonly observability: LedgerRowInput[];
  readonly cluster: LedgerRowInput[];
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** An RFC 9562 version-4-shaped UUID derived from `name` (unique per load: the load time is part of every name). */
function uuidOf(name: string): string {
  const h = sha256(name);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface EngineSpec {
  readonly id: string;
  readonly product: string;
  readonly user: string;
  readonly region: string;
  readonly size: string;
  readonly image: string;
  /** Hours before now it was provisioned. */
  readonly bornHoursAgo: number;
  /** The engine's story after it started, in hours before now. */
  readonly story:
    | { readonly kind: 'steady'; readonly sleeps: readonly [number, number][] }
    | { readonly kind: 'recovered'; readonly failedAt: number; readonly rotateKeyAt: number }
    | { readonly kind: 'gave_up'; readonly failedAt: number }
    | { readonly kind: 'retired'; readonly stopAt: number; readonly destroyAt: number };
}

const IMAGE = 'registry.example/demo-engine:1.4.2';
const ENGINES: readonly EngineSpec[] = [
  {
    id: 'demo-eng-01',
    product: 'demo-acme',
    user: 'u_demo_a1',
    region: 'eu-west-1',
    size: 'small',
    image: IMAGE,
    bornHoursAgo: 47,
    story: { kind: 'steady', sleeps: [[22, 19]] },
  },
  {
    id: 'demo-eng-02',
    product: 'demo-acme',
    user: 'u_demo_a2',
    region: 'eu-west-1',
    size: 'medium',
    image: IMAGE,
    bornHoursAgo: 46,
    story: { kind: 'recovered', failedAt: 30, rotateKeyAt: 12 },
  },
  {
    id: 'demo-eng-03',
    product: 'demo-globex',
    user: 'u_demo_g1',
    region: 'us-east-1',
    size: 'gpu-a10',
    image: 'registry.example/demo-engine-gpu:2.0.0',
    bornHoursAgo: 44,
    story: { kind: 'gave_up', failedAt: 10 },
  },
  {
    id: 'demo-eng-04',
    product: 'demo-globex',
    user: 'u_demo_g2',
    region: 'us-east-1',
    size: 'small',
    image: IMAGE,
    bornHoursAgo: 40,
    story: {
      kind: 'steady',
      sleeps: [
        [33, 29],
        [16, 8],
      ],
    },
  },
  {
    id: 'demo-eng-05',
    product: 'demo-initech',
    user: 'u_demo_i1',
    region: 'ap-south-1',
    size: 'small',
    image: IMAGE,
    bornHoursAgo: 30,
    story: { kind: 'retired', stopAt: 6, destroyAt: 5 },
  },
  {
    id: 'demo-eng-06',
    product: 'demo-initech',
    user: 'u_demo_i2',
    region: 'ap-south-1',
    size: 'medium',
    image: IMAGE,
    bornHoursAgo: 3,
    story: { kind: 'steady', sleeps: [] },
  },
];

const POLICY = 'demo-admission';

interface WorkspaceSpec {
  readonly id: string;
  readonly users: readonly string[];
  readonly agents: readonly string[];
  /** tool → its actions. */
  readonly tools: Readonly<Record<string, readonly string[]>>;
  readonly nodes: readonly string[];
  /** A call the policy refuses (recorded as a `tool_call_denied` marker and a `denied` tool event). */
  readonly denied: { readonly agent: string; readonly tool: string; readonly action: string; readonly reason: string };
}

const WORKSPACES: readonly WorkspaceSpec[] = [
  {
    id: 'demo-ws-support',
    users: ['u_demo_s1', 'u_demo_s2', 'u_demo_s3'],
    agents: ['demo-agent-triage', 'demo-agent-responder'],
    tools: { zendesk: ['get_ticket', 'update_ticket'], github: ['search_issues', 'create_issue'], web_search: ['search'] },
    nodes: ['classify', 'retrieve', 'draft', 'act'],
    denied: {
      agent: 'demo-agent-responder',
      tool: 'zendesk',
      action: 'delete_ticket',
      reason: 'rbac: zendesk:delete_ticket is not granted to demo-agent-responder',
    },
  },
  {
    id: 'demo-ws-finance',
    users: ['u_demo_f1', 'u_demo_f2'],
    agents: ['demo-agent-billing'],
    tools: { sql: ['query'], stripe: ['list_invoices', 'create_refund'], s3: ['get_object'] },
    nodes: ['plan', 'fetch', 'reconcile', 'report'],
    denied: {
      agent: 'demo-agent-billing',
      tool: 'stripe',
      action: 'delete_customer',
      reason: 'rbac: stripe:delete_customer is not granted in demo-ws-finance',
    },
  },
  {
    id: 'demo-ws-research',
    users: ['u_demo_r1', 'u_demo_r2', 'u_demo_r3'],
    agents: ['demo-agent-researcher', 'demo-agent-coder'],
    tools: { web_search: ['search'], arxiv: ['search', 'fetch_pdf'], github: ['read_file', 'open_pr'], python: ['run'] },
    nodes: ['plan', 'search', 'read', 'write', 'review'],
    denied: { agent: 'demo-agent-coder', tool: 'github', action: 'push_main', reason: 'rollout: github:push_main is not enabled for demo-agent-coder' },
  },
];

const CLUSTER = 'demo-cluster';
const NAMESPACE = 'demo-fleet';
const ORCHESTRATOR_SA = `system:serviceaccount:${NAMESPACE}:demo-orchestrator`;

/**
 * The demo fleet, relative to `now` (every row at most {@link DEMO_SPAN_HOURS}
 * hours old and never in the future), the same for the same `now` and `seed`:
 * six engines of three products through provision → start → health checks →
 * failures and automatic restarts (one recovers, one gives up and is destroyed)
 * → idle stops and wakes → destroy; admission policies registered and updated,
 * denied admissions and provisions; AI-agent tool calls in three workspaces in
 * graph runs, with errors, timeouts and policy denials (each denial also a
 * `tool_call_denied` marker); engines' log records as they arrive over OTLP (and
 * a few as CloudEvents); the Kubernetes API server's audit events of the
 * orchestrator and an operator. Every id starts with {@link DEMO_PREFIX}
 * (users {@link DEMO_USER_PREFIX}); event ids are UUIDs unique to this load.
 */
export function buildDemoFleet(opts: { now: Date; seed?: number }): DemoFleet {
  const seed = opts.seed ?? DEMO_SEED;
  const rand = prng(seed);
  // Whole seconds as the anchor (a Date has milliseconds, which timestamptz keeps exactly: stored = hashed).
  const now = Math.floor(opts.now.getTime() / 1000) * 1000;
  const latest = now - MINUTE;
  const at = (hoursAgo: number, jitterMinutes = 0): Date => {
    const t = now - hoursAgo * HOUR + Math.round((rand() - 0.5) * 2 * jitterMinutes * MINUTE);
    return new Date(Math.min(latest, Math.max(now - DEMO_SPAN_HOURS * HOUR, Math.floor(t / 1000) * 1000)));
  };
  let n = 0;
  const id = (kind: string): string => uuidOf(`auditstack-demo:${seed}:${now}:${kind}:${n++}`);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

  const fleet: DemoFleet = { lifecycle: [], tool: [], marker: [], observability: [], cluster: [] };

  // --- lifecycle -------------------------------------------------------------------------------
  const lifecycle = (
    ts: Date,
    action: string,
    subjects: { product?: string | null; user?: string | null; engine?: string | null },
    metadata: Record<string, unknown>,
    actor = 'system',
    durationMs: number | null = null,
  ): void => {
    fleet.lifecycle.push({
      event_id: id('lifecycle'),
      ts,
      action,
      actor,
      product_id: subjects.product ?? null,
      user_id: subjects.user ?? null,
      engine_id: subjects.engine ?? null,
      metadata,
      duration_ms: durationMs,
    });
  };
  const policyHash = (version: number): string => sha256(`${POLICY} v${version}: admit products demo-acme, demo-globex, demo-initech`);
  lifecycle(at(47.8), 'policy_register', {}, { policy_id: POLICY, version: 1, name: 'Demo admission policy', policy_hash: policyHash(1) }, 'admin');
  lifecycle(at(24, 5), 'policy_update', {}, { policy_id: POLICY, version: 2, previous_version: 1, policy_hash: policyHash(2) }, 'admin');
  lifecycle(
    at(20, 10),
    'provision_denied',
    { product: 'demo-initech', user: 'u_demo_i1' },
    { reason: 'quota exceeded: demo-initech may run 2 engines', policy_id: POLICY, rule: 'quota', image: IMAGE, region: 'ap-south-1', size: 'gpu-a10' },
    'demo-initech',
  );
  lifecycle(
    at(14, 10),
    'admit_denied',
    { product: 'demo-acme', user: 'u_demo_x9', engine: 'demo-eng-01' },
    { reason: 'user is not a member of product demo-acme', policy_id: POLICY, rule: 'membership', policy_version: 2 },
  );
  lifecycle(
    at(2, 10),
    'admit_denied',
    { product: 'demo-globex', user: 'u_demo_x7', engine: 'demo-eng-04' },
    { reason: 'source address outside the allowlist', policy_id: POLICY, rule: 'ip_allowlist', policy_version: 2 },
  );

  /** The engines' log records (OTLP) and the API server's audit events that go with a transition. */
  const observe = (engine: string, ts: Date, event: string, severity: number, attributes: Record<string, string | number | boolean>, source = 'otlp'): void => {
    const trace = sha256(`trace:${engine}:${ts.getTime()}:${event}`).slice(0, 32);
    const kept = { 'engine.id': engine, ...attributes };
    const all = { ...kept, 'host.name': `${engine}.${NAMESPACE}.svc`, 'process.pid': int(100, 9000) };
    const attributesJson = canonicalJson(all);
    const body = `${event} ${JSON.stringify(attributes)}`;
    fleet.observability.push({
      event_id: id('observability'),
      ts,
      observed_ts: new Date(Math.min(latest, ts.getTime() + 1000)),
      source,
      engine_id: engine,
      service_name: 'demo-engine',
      scope_name: source === 'otlp' ? 'demo.engine.runtime' : null,
      severity_number: severity,
      severity_text: severity >= 17 ? 'ERROR' : severity >= 13 ? 'WARN' : 'INFO',
      event_name: event,
      trace_id: trace,
      span_id: trace.slice(0, 16),
      body_sha256: sha256(body),
      body_size: Buffer.byteLength(body),
      attributes: kept,
      attributes_sha256: sha256(attributesJson),
      attributes_size: Buffer.byteLength(attributesJson),
      attribute_count: Object.keys(all).length,
    });
  };
  const k8s = (
    ts: Date,
    verb: string,
    resource: string,
    name: string | null,
    code: number,
    user = ORCHESTRATOR_SA,
    subresource: string | null = null,
  ): void => {
    const auditId = uuidOf(`auditstack-demo:${seed}:${now}:k8s:${n++}`);
    const path = `/api/v1/namespaces/${NAMESPACE}/${resource}${name ? `/${name}` : ''}${subresource ? `/${subresource}` : ''}`;
    const received = new Date(ts.getTime() - int(5, 400));
    const requestBody = verb === 'create' || verb === 'patch' ? `{"kind":"${resource}","name":"${name}"}` : null;
    fleet.cluster.push({
      event_id: uuidOf(`${CLUSTER}\u0000${auditId}\u0000ResponseComplete`),
      ts,
      audit_id: auditId,
      stage: 'ResponseComplete',
      level: 'Metadata',
      cluster_id: CLUSTER,
      verb,
      username: user,
      user_groups:
        user === ORCHESTRATOR_SA
          ? ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`, 'system:authenticated']
          : ['demo-ops', 'system:authenticated'],
      impersonated_user: null,
      source_ips: [user === ORCHESTRATOR_SA ? '10.42.0.17' : '192.0.2.44'],
      user_agent: user === ORCHESTRATOR_SA ? 'demo-orchestrator/1.4 (linux/amd64)' : 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
      api_group: null,
      api_version: 'v1',
      resource,
      subresource,
      namespace: NAMESPACE,
      name,
      request_uri: path,
      response_code: code,
      request_received_ts: received,
      request_object_sha256: requestBody ? sha256(requestBody) : null,
      request_object_size: requestBody ? Buffer.byteLength(requestBody) : 0,
      response_object_sha256: null,
      response_object_size: 0,
      annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': '' },
    });
  };

  for (const e of ENGINES) {
    const s = { product: e.product, user: e.user, engine: e.id };
    const born = e.bornHoursAgo;
    lifecycle(
      at(born),
      'provision',
      s,
      { image: e.image, region: e.region, size: e.size, policy_id: POLICY, policy_version: born > 24 ? 1 : 2 },
      e.product,
      int(20_000, 90_000),
    );
    k8s(at(born - 0.01), 'create', 'pods', e.id, 201);
    const boot = int(2_000, 9_000);
    lifecycle(at(born - 0.05), 'start', s, { reason: 'provisioned', boot_ms: boot, image: e.image }, 'system', boot);
    observe(e.id, at(born - 0.05), 'engine.boot', 9, { 'boot.ms': boot, 'image.tag': e.image.split(':')[1]! });

    // When it was down (asleep, restarting) or gone: no health checks then.
    const downs: [number, number][] = [];
    let end = 0;
    const story = e.story;
    if (story.kind === 'steady') {
      for (const [stop, wake] of story.sleeps) {
        const idle = int(900, 3600);
        lifecycle(at(stop), 'stop', s, { reason: 'idle', idle_seconds: idle });
        k8s(at(stop - 0.01), 'delete', 'pods', e.id, 200);
        lifecycle(at(wake), 'wake', s, { trigger: pick(['request', 'schedule']), slept_seconds: Math.round((stop - wake) * 3600) }, 'system', int(800, 3000));
        k8s(at(wake + 0.01), 'create', 'pods', e.id, 201);
        observe(e.id, at(wake - 0.01), 'engine.resume', 9, { 'slept.seconds': Math.round((stop - wake) * 3600) });
        downs.push([stop, wake]);
      }
    } else if (story.kind === 'recovered') {
      const f = story.failedAt;
      for (let c = 1; c <= 2; c++) {
        lifecycle(at(f - (c - 1) * 0.02), 'health_failed', s, { check: 'http', reason: 'GET /healthz timed out after 5000 ms', consecutive_failures: c });
        observe(e.id, at(f - (c - 1) * 0.02), 'engine.health.timeout', 13, { 'http.route': '/healthz', 'timeout.ms': 5000 });
      }
      lifecycle(at(f - 0.05), 'auto_restart_start', s, { attempt: 1, max_attempts: 3, trigger: 'health_failed' });
      k8s(at(f - 0.06), 'delete', 'pods', e.id, 200);
      k8s(at(f - 0.07), 'create', 'pods', e.id, 201);
      lifecycle(at(f - 0.1), 'auto_restart_success', s, { attempt: 1, downtime_ms: 0.1 * HOUR - int(0, 60_000) }, 'system', int(30_000, 60_000));
      observe(e.id, at(f - 0.1), 'engine.boot', 9, { 'boot.ms': int(2_000, 9_000), 'image.tag': e.image.split(':')[1]! });
      lifecycle(at(story.rotateKeyAt), 'rotate_key', s, { key_id: 'demo-key-0202', previous_key_id: 'demo-key-0201', reason: 'scheduled' }, 'admin');
      k8s(at(story.rotateKeyAt + 0.01), 'patch', 'secrets', `${e.id}-credentials`, 200);
      downs.push([f, f - 0.1]);
    } else if (story.kind === 'gave_up') {
      const f = story.failedAt;
      for (let c = 1; c <= 3; c++) {
        lifecycle(at(f - (c - 1) * 0.02), 'health_failed', s, {
          check: 'liveness',
          reason: 'process exited with code 137 (out of memory)',
          consecutive_failures: c,
        });
        observe(e.id, at(f - (c - 1) * 0.02), 'engine.oom_killed', 17, { 'exit.code': 137, 'memory.limit_mb': 24_576 });
      }
      for (let attempt = 1; attempt <= 3; attempt++) {
        const t = f - 0.05 - (attempt - 1) * 0.1;
        lifecycle(at(t), 'auto_restart_start', s, { attempt, max_attempts: 3, trigger: 'health_failed' });
        k8s(at(t - 0.01), 'create', 'pods', e.id, 201);
        lifecycle(
          at(t - 0.05),
          'auto_restart_failed',
          s,
          { attempt, error_code: 'crash_loop', error: 'engine exited during warm-up (CUDA out of memory)' },
          'system',
          int(20_000, 60_000),
        );
        observe(e.id, at(t - 0.05), 'engine.crash', 17, { 'exit.code': 137, attempt });
      }
      lifecycle(at(f - 0.4), 'auto_restart_gave_up', s, { attempts: 3, last_error_code: 'crash_loop' });
      lifecycle(at(f - 0.45), 'stop', s, { reason: 'error' });
      lifecycle(at(f - 1), 'destroy', s, { reason: 'crash_loop', data_retained: true }, 'admin');
      k8s(at(f - 1.01), 'delete', 'pods', e.id, 200);
      end = f;
    } else {
      lifecycle(at(story.stopAt), 'stop', s, { reason: 'user' }, e.product);
      k8s(at(story.stopAt - 0.01), 'delete', 'pods', e.id, 200);
      lifecycle(at(story.destroyAt), 'destroy', s, { reason: 'user_request', data_retained: false }, e.product, int(5_000, 20_000));
      end = story.stopAt;
    }

    // Health probes every 30 minutes while it runs; a log record now and then.
    for (let h = born - 0.5; h > Math.max(end, 0.1); h -= 0.5) {
      if (downs.some(([from, to]) => h <= from && h >= to)) continue;
      lifecycle(at(h, 2), 'health_check', s, { check: 'http', latency_ms: int(3, 80) }, 'system', int(3, 80));
      if (rand() < 0.3)
        observe(e.id, at(h, 10), 'engine.request.completed', 9, { 'http.status_code': pick([200, 200, 200, 201, 404]), 'duration.ms': int(20, 900) });
      if (rand() < 0.04) observe(e.id, at(h, 10), 'engine.scaled', 9, { replicas: int(1, 3) }, 'cloudevents');
    }
  }
  // An operator poking at the fleet's secrets: forbidden, and audited.
  k8s(at(7, 20), 'get', 'secrets', 'demo-eng-02-credentials', 403, 'u_demo_ops');
  k8s(at(7, 20), 'list', 'pods', null, 200, 'u_demo_ops');
  k8s(at(1, 20), 'get', 'pods', 'demo-eng-06', 200, 'u_demo_ops', 'log');

  // --- tool calls ------------------------------------------------------------------------------
  let runNo = 0;
  for (const ws of WORKSPACES) {
    const runs = 45 + int(0, 10);
    for (let r = 0; r < runs; r++) {
      runNo++;
      const runId = `demo-run-${String(runNo).padStart(4, '0')}`;
      const agent = pick(ws.agents);
      const background = rand() < 0.15;
      const user = background ? null : pick(ws.users);
      const job = background ? `demo-job-${String(runNo).padStart(4, '0')}` : null;
      let t = at(DEMO_SPAN_HOURS - 0.5 - rand() * (DEMO_SPAN_HOURS - 1)).getTime();
      const calls = int(2, 6);
      for (let c = 0; c < calls; c++) {
        const tool = pick(Object.keys(ws.tools));
        const action = pick(ws.tools[tool]!);
        const roll = rand();
        const status = roll < 0.06 ? 'error' : roll < 0.09 ? 'timeout' : 'ok';
        const duration = status === 'timeout' ? 30_000 : int(40, status === 'error' ? 800 : 4_000);
        const inSize = int(80, 4_000);
        fleet.tool.push({
          event_id: id('tool'),
          ts: new Date(Math.min(latest, t)),
          req_id: `demo-req-${runNo}-${c}`,
          workspace_id: ws.id,
          user_id: user,
          agent_id: agent,
          tool,
          action,
          status,
          duration_ms: duration,
          in_size: inSize,
          out_size: status === 'ok' ? int(200, 60_000) : int(0, 300),
          input_hash: sha256(`demo input ${runId} ${c}`),
          graph_run_id: runId,
          graph_node: ws.nodes[Math.min(c, ws.nodes.length - 1)]!,
          job_id: job,
        });
        t += duration + int(200, 5_000);
      }
      // Now and then the run's agent tries what the policy refuses.
      if (r % 12 === 5 && !background) {
        const d = ws.denied;
        const ts = new Date(Math.min(latest, t));
        fleet.marker.push({
          id: id('marker'),
          ts,
          marker: GATEWAY_MARKERS.toolCallDenied,
          details: { agent_id: d.agent, workspace_id: ws.id, tool: d.tool, action: d.action, reason: d.reason, emergency_stop: false },
        });
        fleet.tool.push({
          event_id: id('tool'),
          ts,
          req_id: `demo-req-${runNo}-denied`,
          workspace_id: ws.id,
          user_id: user,
          agent_id: d.agent,
          tool: d.tool,
          action: d.action,
          status: 'denied',
          duration_ms: int(1, 6),
          in_size: int(80, 600),
          out_size: 0,
          input_hash: sha256(`demo input ${runId} denied`),
          graph_run_id: runId,
          graph_node: ws.nodes[ws.nodes.length - 1]!,
          job_id: null,
        });
      }
    }
  }

  const byTime = (a: LedgerRowInput, b: LedgerRowInput): number => (a.ts as Date).getTime() - (b.ts as Date).getTime();
  for (const rows of Object.values(fleet) as LedgerRowInput[][]) rows.sort(byTime);
  return fleet;
}

/** True when `value` is a demo identifier ({@link DEMO_PREFIX} or {@link DEMO_USER_PREFIX}). */
export function isDemoId(value: unknown): boolean {
  return typeof value === 'string' && (value.startsWith(DEMO_PREFIX) || value.startsWith(DEMO_USER_PREFIX));
}
