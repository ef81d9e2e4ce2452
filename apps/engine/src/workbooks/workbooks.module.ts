import { Module } from '@nestjs/common';
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
  providers: [WorkbooksService],
})
export class WorkbooksModule {}
