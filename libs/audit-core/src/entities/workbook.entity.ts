import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A declarative workbook spec; every save is a new version. */
@Entity({ schema: 'audit', name: 'workbooks' })
@Unique('uq_workbooks_name_version', ['name', 'version'])
export class WorkbookEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_workbooks' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
