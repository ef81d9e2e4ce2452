import { Injectable } from '@nestjs/common';

/**
 * A counter this process bumps whenever it changes what read models show
 * (a run batch committed, a project or action written), so short-lived
 * caches of this replica can tell they are stale at once. Changes made by
 * other replicas or plain SQL are seen when the cache's TTL expires.
 */
@Injectable()
export class DataVersion {
  private value = 0;

  get current(): number {
    return this.value;
  }

  bump(): void {
    this.value++;
  }
}
