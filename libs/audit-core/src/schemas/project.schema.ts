import { z } from 'zod';
import { boundedText, named, strictObject, UtcTimestampSchema, UuidSchema } from './common.schema';

/**
 * A project name (`audit.projects.name`, unique): a repo, product or tenant
 * name such as `acme-web` or `ACME Web (prod)`. 1–200 characters, trimmed,
 * no control characters.
 */
export const ProjectNameSchema = z.string(named('must be 1–200 characters of text without control characters')).trim().pipe(boundedText(200, 1));

/** A project description: up to 2000 characters of text. */
export const ProjectDescriptionSchema = boundedText(2000);

/** Input of `POST /v1/projects`. */
export const ProjectCreateSchema = strictObject(
  {
    name: ProjectNameSchema,
    /** @defaultValue `''` */
    description: ProjectDescriptionSchema.default(''),
  },
  'a project',
);

/** A parsed project creation request. */
export type ProjectCreate = z.output<typeof ProjectCreateSchema>;

/** Input of `PATCH /v1/projects/:id`: at least one field. */
export const ProjectUpdateSchema = strictObject(
  {
    name: ProjectNameSchema.optional(),
    description: ProjectDescriptionSchema.optional(),
  },
  'a project update',
).refine((update) => Object.keys(update).length > 0, { error: 'a project update must change at least one field (name, description)' });

/** A parsed project update. */
export type ProjectUpdate = z.output<typeof ProjectUpdateSchema>;

/** A stored project (`audit.projects` row, API response). */
export const ProjectSchema = strictObject(
  {
    id: UuidSchema,
    name: ProjectNameSchema,
    description: ProjectDescriptionSchema,
    created_at: UtcTimestampSchema,
    updated_at: UtcTimestampSchema,
  },
  'a project',
);

/** A stored project. */
export type Project = z.output<typeof ProjectSchema>;
