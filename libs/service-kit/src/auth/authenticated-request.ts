import type { FastifyRequest } from 'fastify';
import type { Principal } from '@auditstack/audit-core/server';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };
