import { z } from 'zod';
import { AUTHENTICATED_ERRORS } from '../route.contract';
import { PageQuerySchema } from '../page.schema';
import { UuidSchema } from '../../schemas/common.schema';

/** Error statuses of a list: a bad query, plus what every authenticated route answers. */
export const LIST_ERRORS = [400, ...AUTHENTICATED_ERRORS] as const;
/** Error statuses of a read by key: a malformed key (400) or an unknown one (404). */
export const READ_ERRORS = [400, 404, ...AUTHENTICATED_ERRORS] as const;

/** `{id}` of a route: a UUID. */
export const IdParamsSchema = z.strictObject({
  id: UuidSchema.meta({ description: 'The resource id (UUID).', example: '0193a7e2-5b7c-7d3e-9a4f-2b1c3d4e5f60' }),
});

/** The query of a list without filters: `limit` and `cursor`, nothing else. */
export const PlainPageQuerySchema = z.strictObject({ ...PageQuerySchema.shape });

/** An arbitrary JSON object in a response (a stored config, an evidence record). */
export const ResponseJsonObjectSchema = z.record(z.string(), z.unknown());
