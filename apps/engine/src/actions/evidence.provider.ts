import type { Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { EvidenceService, type SqlPool } from '@auditstack/evidence-store';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { ENGINE_PG } from '../database/engine-pg.util';

/** The evidence store (checkpoints, verification) on the engine's pool and `AUDITSTACK_HOME` (keys, anchors). */
export const ENGINE_EVIDENCE = Symbol('ENGINE_EVIDENCE');

export const engineEvidenceProvider: Provider = {
  provide: ENGINE_EVIDENCE,
  inject: [ENGINE_CONFIG, ENGINE_PG],
  useFactory: (config: Readonly<EngineConfig>, pool: Pool) =>
    new EvidenceService({ db: pool as unknown as SqlPool, home: config.AUDITSTACK_HOME }),
};
