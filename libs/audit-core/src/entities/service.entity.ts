import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Inventory of platform elements, read by the documentation-compliance check. */
@Entity({ schema: 'audit', name: 'services' })
@Unique('uq_services_name', ['serviceName'])
export class ServiceEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_services' })
  id!: string;

  @Column({ name: 'service_name', type: 'text' })
  serviceName!: string;

  @Column({ name: 'service_type', type: 'text' })
  serviceType!: string;

  @Column({ type: 'text', default: '' })
  host!: string;

  @Column({ type: 'text', default: 'active' })
  status!: string;

  @Column({ name: 'compliance_workbook', type: 'text', default: 'no' })
  complianceWorkbook!: string;

  @Column({ name: 'workbook_url', type: 'text', nullable: true })
  workbookUrl!: string | null;

  @Column({ name: 'compliance_notes', type: 'text', default: '' })
  complianceNotes!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
