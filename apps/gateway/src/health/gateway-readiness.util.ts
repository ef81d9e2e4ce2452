import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseProbe, READINESS_PROBES, type ReadinessProbe } from '@auditstack/service-kit';
import { EventStorageService } from '../storage/event-storage.service';

/**
 * `/ready` of the gateway: the database (needed only by `AUDIT_BACKEND=postgres`;
 * the other backends keep acknowledging events without it) and the backend
 * taking writes: `postgres`, `fallback_spooling` (auto, PostgreSQL down: events
 * are spooled and replayed later, nothing lost), `jsonl` or `null`.
 */
export const GATEWAY_READINESS: Provider = {
  provide: READINESS_PROBES,
  inject: [DataSource, EventStorageService],
  useFactory: (dataSource: DataSource, storage: EventStorageService): ReadinessProbe[] => [
    databaseProbe(dataSource, () => storage.setting === 'postgres'),
    {
      name: 'backend',
      async check() {
        const active = storage.active();
        return { ready: true, state: storage.setting === 'auto' && active === 'jsonl' ? 'fallback_spooling' : active };
      },
    },
  ],
};
