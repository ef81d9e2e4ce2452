import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiQuery } from '@nestjs/swagger';

/** A zod object schema (or anything with a `shape`): its keys are the parameters. */
interface Shaped {
  shape: Record<string, unknown>;
}

/**
 * Documents every key of a zod query schema as an optional query parameter in
 * the OpenAPI document (`/docs-json`), so the document lists what the
 * `ZodValidationPipe` reads — the route's contract, which the parameter fuzz
 * (test/integration/param-fuzz.int-spec.ts) walks.
 */
export function ApiQueryFrom(schema: Shaped): MethodDecorator {
  return applyDecorators(...Object.keys(schema.shape).map((name) => ApiQuery({ name, required: false, type: String })));
}

/** Documents every key of a zod path-parameter schema as a path parameter. */
export function ApiParamsFrom(schema: Shaped): MethodDecorator {
  return applyDecorators(...Object.keys(schema.shape).map((name) => ApiParam({ name, required: true, type: String })));
}
