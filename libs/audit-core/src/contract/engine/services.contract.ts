import { z } from 'zod';
import { ApiTimestampSchema } from '../api-types.schema';
import { pageOf } from '../page.schema';
import { defineRoute } from '../route.contract';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { boundedText, named, strictObject, UuidSchema } from '../../schemas/common.schema';
import { LIST_ERRORS, PlainPageQuerySchema, READ_ERRORS } from './engine-shared.schema';

const SERVICE_STATUSES = ['active', 'inactive', 'retired'] as const;
const COMPLIANCE_WORKBOOK = ['yes', 'no', 'partial'] as const;

/** A platform element's name (`audit.services.service_name`, unique). */
export const ServiceNameSchema = z
  .string(named('must be 1–200 characters of A–Z, a–z, 0–9, ".", "_", "-"'))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/)
  .meta({ description: 'The element name (unique).', example: 'billing-db' });

/** Body of `PUT /v1/services/{service_name}`: the element as it should be recorded. */
export const ServiceUpsertSchema = strictObject(
  {
    service_type: boundedText(100, 1).meta({ description: 'What kind of element.', example: 'postgres' }),
    /** @defaultValue `''` */
    host: boundedText(500).default('').meta({ example: 'db1.internal' }),
    /** @defaultValue `'active'` (only active elements are audited by infra_docs_check) */
    status: z
      .enum(SERVICE_STATUSES, named('must be one of active, inactive, retired'))
      .default('active')
      .meta({ description: 'Only active elements are audited.' }),
    /** `yes` when the element has a compliance workbook. @defaultValue `'no'` */
    compliance_workbook: z
      .enum(COMPLIANCE_WORKBOOK, named('must be one of yes, no, partial'))
      .default('no')
      .meta({ description: 'Whether the element has a compliance workbook.' }),
    workbook_url: z.url(named('must be an http(s) URL')).max(2000).nullable().default(null).meta({ example: 'https://wiki.example.com/billing-db' }),
    /** @defaultValue `''` */
    compliance_notes: boundedText(2000).default(''),
  },
  'a service',
).meta({
  id: 'ServiceUpsert',
  description: 'A platform element as it should be recorded (the inventory `infra_docs_check` reads).',
  example: { service_type: 'postgres', host: 'db1.internal', compliance_workbook: 'yes', workbook_url: 'https://wiki.example.com/billing-db' },
});
export type ServiceUpsert = z.output<typeof ServiceUpsertSchema>;

/** A recorded platform element (`audit.services` row). */
export const ServiceRecordSchema = z
  .object({
    id: UuidSchema,
    service_name: z.string().meta({ example: 'billing-db' }),
    service_type: z.string(),
    host: z.string(),
    status: z.enum(SERVICE_STATUSES),
    compliance_workbook: z.enum(COMPLIANCE_WORKBOOK),
    workbook_url: z.string().nullable(),
    compliance_notes: z.string(),
    updated_at: ApiTimestampSchema,
  })
  .meta({ id: 'InventoryService', description: 'A platform element of the inventory.' });

/** `{service_name}` of a route. */
export const ServiceNameParamsSchema = z.strictObject({ service_name: ServiceNameSchema });

/** Keyset position of the inventory list (by name). */
export const ServiceCursorSchema = z.strictObject({ name: z.string().max(200) });

const tags = ['services'];

/** The inventory of platform elements (`audit.services`). */
export const SERVICE_ROUTES = {
  listServices: defineRoute({
    operationId: 'listServices',
    method: 'GET',
    path: '/v1/services',
    summary: 'List platform elements',
    description: 'Every recorded platform element, by name.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    query: PlainPageQuerySchema,
    response: { description: 'A page of elements.', schema: pageOf(ServiceRecordSchema).meta({ id: 'InventoryServicePage' }) },
    errors: LIST_ERRORS,
  }),
  upsertService: defineRoute({
    operationId: 'upsertService',
    method: 'PUT',
    path: '/v1/services/{service_name}',
    summary: 'Record a platform element',
    description: 'Creates or replaces the element named `service_name` (idempotent); the change is recorded in the ledger in the same transaction.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    params: ServiceNameParamsSchema,
    body: ServiceUpsertSchema,
    bodyExample: { service_type: 'postgres', host: 'db1.internal', compliance_workbook: 'yes', workbook_url: 'https://wiki.example.com/billing-db' },
    response: { description: 'The recorded element.', schema: ServiceRecordSchema },
    errors: [400, 401, 403, 429, 500, 503],
  }),
  deleteService: defineRoute({
    operationId: 'deleteService',
    method: 'DELETE',
    path: '/v1/services/{service_name}',
    summary: 'Delete a platform element',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    params: ServiceNameParamsSchema,
    response: { status: 204, description: 'Deleted.' },
    errors: READ_ERRORS,
  }),
} as const;
