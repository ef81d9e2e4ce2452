import { Module } from '@nestjs/common';
import { RunWriter } from '../runs/run-writer.repository';
import { WorkbooksController } from './workbooks.controller';
import { WorkbooksService } from './workbooks.service';

/**
 * The workbooks API. The `workbook` action type itself lives in
 * `actions/workbook/` and shares the repository and executor of this folder.
 * Depends on the global engine core (pool, data version) and action types
 * module (collector context).
 */
@Module({
  controllers: [WorkbooksController],
  // Its own RunWriter instance: dry runs are recorded like any run (group commit per instance; the ledger lock orders them).
  providers: [WorkbooksService, RunWriter],
})
export class WorkbooksModule {}
