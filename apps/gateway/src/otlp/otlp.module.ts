import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';

/** OpenTelemetry logs over OTLP/HTTP (`POST /v1/otlp/v1/logs`) and the observability-event reads. */
@Module({
  imports: [IngestModule],
})
export class OtlpModule {}
