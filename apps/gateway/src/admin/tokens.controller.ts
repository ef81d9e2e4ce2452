import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiTokenCreateSchema, ENTITLEMENTS, type ApiTokenCreate } from '@auditstack/audit-core';
import { ApiTokenRepository, TokenInputError, type ApiTokenEntity } from '@auditstack/audit-core/server';
import { RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';

function present(token: ApiTokenEntity): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    principal: token.principal,
    entitlements: token.entitlements,
    workspace_id: token.workspaceId,
    created_at: token.createdAt,
    last_used_at: token.lastUsedAt,
    revoked_at: token.revokedAt,
  };
}

/** Token administration over HTTP (the CLI's `auditstack tokens` does the same). Entitlement `admin`. */
@ApiTags('admin')
@ApiBearerAuth()
@RequireEntitlements(ENTITLEMENTS.admin)
@Controller('v1/admin/tokens')
export class TokensController {
  constructor(private readonly tokens: ApiTokenRepository) {}

  @Get()
  async list(): Promise<Record<string, unknown>[]> {
    return (await this.tokens.list()).map(present);
  }

  /** Returns the secret once; only its hash is stored. */
  @Post()
  async create(@Body(new ZodValidationPipe(ApiTokenCreateSchema)) body: ApiTokenCreate): Promise<Record<string, unknown>> {
    try {
      const { token, record } = await this.tokens.create({ name: body.name, entitlements: body.entitlements, workspaceId: body.workspace_id ?? null });
      return { ...present(record), token };
    } catch (error) {
      if (error instanceof TokenInputError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.tokens.revoke(id))) throw new NotFoundException(`no active token with id ${id}`);
  }
}
