import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { ObservabilityQueryService } from './observability-query.service';
import { OtlpBodyEncodings } from './otlp-body.provider';
import { OtlpController } from './otlp.controller';
import { OtlpService } from './otlp.service';

/**
 * OpenTelemetry logs over OTLP/HTTP (`POST /v1/otlp/v1/logs`: JSON or
 * protobuf, optionally gzip) and the observability-event reads
 * (`GET /v1/observability-events`). Needs the global Storage module.
 */
@Module({
  imports: [IngestModule],
  controllers: [OtlpController],
  providers: [OtlpService, ObservabilityQueryService, OtlpBodyEncodings],
})
export class OtlpModule {}
