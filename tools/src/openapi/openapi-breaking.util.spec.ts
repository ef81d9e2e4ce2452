import { z } from 'zod';
import { defineRoute, type AnyRoute, type RouteTable } from '@auditstack/audit-core';
import { buildOpenApiDocument } from '@auditstack/service-kit';
import { BREAKING_RULES, findBreakingChanges, majorBumped, majorOf, type BreakingRule } from './openapi-breaking.util';

// A small service, built into a real document by the same builder as the services'.
const ItemSchema = z.object({ id: z.string(), name: z.string(), kind: z.enum(['a', 'b']) }).meta({ id: 'Item' });

const BASE = {
  listItems: defineRoute({
    operationId: 'listItems',
    method: 'GET',
    path: '/v1/items',
    summary: 'List items',
    tags: ['items'],
    auth: 'bearer',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), state: z.enum(['open', 'closed']).optional() }),
    response: { description: 'A page.', schema: z.object({ items: z.array(ItemSchema), next_cursor: z.string().nullable() }) },
    errors: [400, 401],
  }),
  createItem: defineRoute({
    operationId: 'createItem',
    method: 'POST',
    path: '/v1/items',
    summary: 'Create an item',
    tags: ['items'],
    auth: 'bearer',
    body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.string().optional() }),
    response: { status: 201, description: 'Created.', schema: ItemSchema },
    errors: [400, 401, 409],
  }),
  getItem: defineRoute({
    operationId: 'getItem',
    method: 'GET',
    path: '/v1/items/{id}',
    summary: 'One item',
    tags: ['items'],
    auth: 'bearer',
    params: z.object({ id: z.string() }),
    response: { description: 'The item.', schema: ItemSchema },
    errors: [401, 404],
  }),
  ping: defineRoute({
    operationId: 'ping',
    method: 'GET',
    path: '/ping',
    summary: 'Liveness',
    tags: ['health'],
    auth: 'public',
    response: { description: 'Up.', schema: z.object({ status: z.literal('ok') }) },
    errors: [503],
  }),
  metrics: defineRoute({
    operationId: 'metrics',
    method: 'GET',
    path: '/metrics',
    summary: 'Metrics',
    tags: ['health'],
    auth: 'public',
    response: { description: 'Metrics.', contentType: 'text/plain' },
    errors: [],
  }),
  decide: defineRoute({
    operationId: 'decide',
    method: 'POST',
    path: '/v1/decisions',
    summary: 'A decision on one of two shapes',
    tags: ['items'],
    auth: 'bearer',
    body: z.discriminatedUnion('kind', [z.object({ kind: z.literal('allow'), reason: z.string() }), z.object({ kind: z.literal('deny'), code: z.string() })]),
    response: { description: 'Recorded.', schema: z.object({ ok: z.boolean() }) },
    errors: [400],
  }),
} satisfies Record<string, AnyRoute>;

function documentOf(routes: RouteTable, version = '1.0.0'): Record<string, unknown> {
  return JSON.parse(JSON.stringify(buildOpenApiDocument({ title: 'fixture', description: 'fixture service', version, routes, errors: {} }))) as Record<
    string,
    unknown
  >;
}

/** The base table with some routes replaced (or removed with `undefined`). */
function changed(overrides: Partial<Record<keyof typeof BASE, AnyRoute | undefined>>): RouteTable {
  const table: Record<string, AnyRoute> = { ...BASE };
  for (const [key, route] of Object.entries(overrides)) {
    if (route === undefined) delete table[key];
    else table[key] = route;
  }
  return table;
}

const before = documentOf(BASE);
const rulesOf = (routes: RouteTable): BreakingRule[] => [...new Set(findBreakingChanges(before, documentOf(routes)).map((change) => change.rule))].sort();
const itemWith = (shape: z.ZodRawShape) => z.object(shape);

describe('findBreakingChanges: each breaking change is named', () => {
  const cases: ReadonlyArray<[BreakingRule, string, RouteTable]> = [
    ['operation-removed', 'GET /v1/items/{id} is deleted', changed({ getItem: undefined })],
    ['operation-now-authenticated', 'the public ping starts asking for a token', changed({ ping: { ...BASE.ping, auth: 'bearer' } })],
    ['status-removed', 'createItem no longer documents its 409', changed({ createItem: { ...BASE.createItem, errors: [400, 401] } })],
    [
      'response-media-type-removed',
      'metrics switch from text/plain to JSON',
      changed({ metrics: { ...BASE.metrics, response: { description: 'Metrics.', schema: z.object({ up: z.boolean() }) } } }),
    ],
    [
      'response-property-removed',
      'getItem stops returning name',
      changed({ getItem: { ...BASE.getItem, response: { description: 'The item.', schema: itemWith({ id: z.string(), kind: z.enum(['a', 'b']) }) } } }),
    ],
    [
      'response-property-now-optional',
      'getItem may omit name',
      changed({
        getItem: {
          ...BASE.getItem,
          response: { description: 'The item.', schema: itemWith({ id: z.string(), name: z.string().optional(), kind: z.enum(['a', 'b']) }) },
        },
      }),
    ],
    [
      'response-type-widened',
      'getItem may answer name: null',
      changed({
        getItem: {
          ...BASE.getItem,
          response: { description: 'The item.', schema: itemWith({ id: z.string(), name: z.string().nullable(), kind: z.enum(['a', 'b']) }) },
        },
      }),
    ],
    [
      'request-body-now-required',
      'getItem (a GET) starts requiring a body',
      changed({ getItem: { ...BASE.getItem, method: 'GET', body: z.object({ fields: z.array(z.string()).optional() }) } }),
    ],
    [
      'request-media-type-removed',
      'createItem takes NDJSON instead of JSON',
      changed({ createItem: { ...BASE.createItem, body: undefined, bodyContentType: 'application/x-ndjson' } }),
    ],
    [
      'request-field-now-required',
      'createItem requires a new field owner',
      changed({
        createItem: {
          ...BASE.createItem,
          body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.string().optional(), owner: z.string() }),
        },
      }),
    ],
    [
      'request-field-now-required',
      'createItem makes note required',
      changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.string() }) } }),
    ],
    [
      'request-field-removed',
      'createItem (strict body) drops note: clients sending it get a 400',
      changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']) }) } }),
    ],
    [
      'parameter-now-required',
      'listItems requires limit',
      changed({
        listItems: { ...BASE.listItems, query: z.object({ limit: z.coerce.number().int().min(1).max(500), state: z.enum(['open', 'closed']).optional() }) },
      }),
    ],
    [
      'parameter-now-required',
      'listItems gains a required query parameter',
      changed({
        listItems: {
          ...BASE.listItems,
          query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), state: z.enum(['open', 'closed']).optional(), owner: z.string() }),
        },
      }),
    ],
    [
      'parameter-removed',
      'listItems drops its state filter',
      changed({ listItems: { ...BASE.listItems, query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }) } }),
    ],
    [
      'enum-narrowed',
      'createItem no longer accepts kind b',
      changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a']), note: z.string().optional() }) } }),
    ],
    [
      'enum-narrowed',
      'listItems no longer accepts state=closed',
      changed({
        listItems: { ...BASE.listItems, query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), state: z.enum(['open']).optional() }) },
      }),
    ],
    [
      'constraint-narrowed',
      'createItem accepts names up to 100 characters instead of 200',
      changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(100), kind: z.enum(['a', 'b']), note: z.string().optional() }) } }),
    ],
    [
      'constraint-narrowed',
      'listItems limit tops out at 100 instead of 500',
      changed({ listItems: { ...BASE.listItems, query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional(), state: z.enum(['open', 'closed']).optional() }) } }),
    ],
    [
      'constraint-narrowed',
      'getItem ids must now match a pattern',
      changed({ getItem: { ...BASE.getItem, params: z.object({ id: z.string().regex(/^[a-z]+$/) }) } }),
    ],
    [
      'constraint-narrowed',
      'createItem kind becomes a pattern that refuses the old value b',
      changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(200), kind: z.string().regex(/^a$/), note: z.string().optional() }) } }),
    ],
    [
      'constraint-narrowed',
      'createItem note becomes a union whose string member is shorter',
      changed({
        createItem: {
          ...BASE.createItem,
          body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.union([z.literal(''), z.string().max(10)]).optional() }),
        },
      }),
    ],
    [
      'union-member-removed',
      'decide no longer accepts the deny shape',
      changed({ decide: { ...BASE.decide, body: z.discriminatedUnion('kind', [z.object({ kind: z.literal('allow'), reason: z.string() })]) } }),
    ],
    [
      'type-changed',
      'createItem name becomes a number',
      changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.number(), kind: z.enum(['a', 'b']), note: z.string().optional() }) } }),
    ],
    [
      'type-changed',
      'getItem id becomes a number in the response',
      changed({
        getItem: { ...BASE.getItem, response: { description: 'The item.', schema: itemWith({ id: z.number(), name: z.string(), kind: z.enum(['a', 'b']) }) } },
      }),
    ],
  ];

  it.each(cases)('%s: %s', (rule, _name, routes) => {
    // Exactly this rule: a change is named once, not drowned in side effects.
    expect(rulesOf(routes)).toEqual([rule]);
  });

  it('has a named case for every rule', () => {
    expect([...new Set(cases.map(([rule]) => rule))].sort()).toEqual([...BREAKING_RULES].sort());
  });

  it('says which operation and where', () => {
    const changes = findBreakingChanges(
      before,
      documentOf(changed({ createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string(), kind: z.enum(['a']), note: z.string().optional() }) } })),
    );
    expect(changes).toEqual([expect.objectContaining({ operation: 'POST /v1/items', rule: 'enum-narrowed', where: 'request body.kind' })]);
  });
});

describe('findBreakingChanges: additions a client can ignore are accepted', () => {
  const cases: ReadonlyArray<[string, RouteTable]> = [
    ['the same document', BASE],
    [
      'a new operation',
      {
        ...BASE,
        deleteItem: defineRoute({
          operationId: 'deleteItem',
          method: 'DELETE',
          path: '/v1/items/{id}',
          summary: 'Delete',
          tags: ['items'],
          auth: 'bearer',
          params: z.object({ id: z.string() }),
          response: { status: 204, description: 'Gone.' },
          errors: [404],
        }),
      },
    ],
    [
      'an optional request field',
      changed({
        createItem: {
          ...BASE.createItem,
          body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.string().optional(), tags: z.array(z.string()).optional() }),
        },
      }),
    ],
    [
      'an optional query parameter',
      changed({
        listItems: {
          ...BASE.listItems,
          query: z.object({
            limit: z.coerce.number().int().min(1).max(500).optional(),
            state: z.enum(['open', 'closed']).optional(),
            q: z.string().optional(),
          }),
        },
      }),
    ],
    [
      'a new response property',
      changed({
        getItem: {
          ...BASE.getItem,
          response: { description: 'The item.', schema: itemWith({ id: z.string(), name: z.string(), kind: z.enum(['a', 'b']), created_at: z.string() }) },
        },
      }),
    ],
    [
      'a request enum value more',
      changed({
        createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b', 'c']), note: z.string().optional() }) },
      }),
    ],
    [
      'a request field that now also takes null',
      changed({
        createItem: {
          ...BASE.createItem,
          body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.string().nullable().optional() }),
        },
      }),
    ],
    [
      'a longer maximum length and a higher limit',
      changed({
        createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(400), kind: z.enum(['a', 'b']), note: z.string().optional() }) },
        listItems: { ...BASE.listItems, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), state: z.enum(['open', 'closed']).optional() }) },
      }),
    ],
    ['a new documented error status', changed({ getItem: { ...BASE.getItem, errors: [401, 404, 429] } })],
    ['a public route that stays public with new text', changed({ ping: { ...BASE.ping, summary: 'Liveness probe', description: 'Always ok while serving.' } })],
    [
      'a request enum widened to a pattern every old value matches',
      changed({
        createItem: { ...BASE.createItem, body: z.strictObject({ name: z.string().max(200), kind: z.string().regex(/^[a-z]{1,8}$/), note: z.string().optional() }) },
        listItems: { ...BASE.listItems, query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), state: z.string().regex(/^[a-z]+$/).optional() }) },
      }),
    ],
    [
      'a request field that gains a union member in front of the old shapes (the members move)',
      changed({
        createItem: {
          ...BASE.createItem,
          body: z.strictObject({ name: z.string().max(200), kind: z.enum(['a', 'b']), note: z.union([z.literal(''), z.string().nullable()]).optional() }),
        },
      }),
    ],
    [
      'a new union member a request may send',
      changed({
        decide: {
          ...BASE.decide,
          body: z.discriminatedUnion('kind', [
            z.object({ kind: z.literal('allow'), reason: z.string() }),
            z.object({ kind: z.literal('deny'), code: z.string() }),
            z.object({ kind: z.literal('defer') }),
          ]),
        },
      }),
    ],
  ];

  it.each(cases)('%s', (_name, routes) => {
    expect(findBreakingChanges(before, documentOf(routes))).toEqual([]);
  });
});

describe('the major version allows a breaking change', () => {
  it('reads the major of a semver version', () => {
    expect(majorOf('2.10.3')).toBe(2);
    expect(majorOf('v1.0.0')).toBe(1);
    expect(majorOf('latest')).toBeNaN();
  });

  it('a major bump is a bump, a minor or patch bump is not, nor a version that is not semver', () => {
    expect(majorBumped(documentOf(BASE, '1.4.0'), documentOf(BASE, '2.0.0'))).toBe(true);
    expect(majorBumped(documentOf(BASE, '1.4.0'), documentOf(BASE, '1.5.0'))).toBe(false);
    expect(majorBumped(documentOf(BASE, '1.4.0'), documentOf(BASE, '1.4.0'))).toBe(false);
    expect(majorBumped(documentOf(BASE, '1.4.0'), documentOf(BASE, 'next'))).toBe(false);
  });
});
