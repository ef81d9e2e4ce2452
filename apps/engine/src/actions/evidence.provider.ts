import { Logger, type Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { EvidenceService, evidenceOptionsFromSettings, type SqlPool } from '@auditstack/evidence-store';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { ENGINE_PG } from '../database/engine-pg.util';

/** The evidence store (checkpoints, verification) on the engine's pool and `AUDITSTACK_HOME` (keys, anchors). */
export const ENGINE_EVIDENCE = Symbol('ENGINE_EVIDENCE');

/**
 * The engine's evidence store, from the same settings (EVIDENCE_*, CHECKPOINT_*,
 * TSA_*) and the same mapping as the gateway and the CLI: one key, one anchor
 * file, one TSA, one trust root. The key is loaded lazily, at the first
 * checkpoint or verification, so a read-only filesystem fails that action with
 * an error naming the path and its setting instead of stopping the engine.
 */
export const engineEvidenceProvider: Provider = {
  provide: ENGINE_EVIDENCE,
  inject: [ENGINE_CONFIG, ENGINE_PG],
  useFactory: (config: Readonly<EngineConfig>, pool: Pool) => {
    const logger = new Logger('Evidence');
    return new EvidenceService({ ...evidenceOptionsFromSettings(pool as unknown as SqlPool, config), onNotice: (message) => logger.warn(message) });
  },
};
