import { AllowNull, Column, CreatedAt, DataType, Model, PrimaryKey, Table } from 'sequelize-typescript';

@Table({ tableName: 'idempotency_keys', updatedAt: false })
export class IdempotencyKey extends Model {
  @PrimaryKey @Column(DataType.INTEGER) declare userId: number;
  @PrimaryKey @Column(DataType.STRING(255)) declare key: string;
  @AllowNull(false) @Column(DataType.STRING(64)) declare operation: string;
  @AllowNull(false) @Column(DataType.CHAR(64)) declare requestHash: string;
  @AllowNull(true) @Column(DataType.INTEGER) declare statusCode: number | null;
  @AllowNull(true) @Column(DataType.JSONB) declare response: unknown;
  @CreatedAt declare createdAt: Date;
}
