import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseProbe, READINESS_PROBES, withTimeout, type ReadinessProbe } from '@auditstack/service-kit';
import { CHECK_QUEUE, type CheckQueue } from './check-queue.util';

/** `/ready` of the engine: PostgreSQL, and Redis in service mode (both needed to run checks). */
export const ENGINE_READINESS: Provider = {
  provide: READINESS_PROBES,
  inject: [DataSource, CHECK_QUEUE],
  useFactory: (dataSource: DataSource, queue: CheckQueue): ReadinessProbe[] => {
    const probes = [databaseProbe(dataSource)];
    if (queue.mode === 'service') {
      probes.push({
        name: 'redis',
        async check() {
          try {
            await withTimeout(queue.ping());
            return { ready: true, state: 'up' };
          } catch {
            return { ready: false, state: 'down' };
          }
        },
      });
    }
    return probes;
  },
};
