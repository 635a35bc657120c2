import {
  AllowNull,
  AutoIncrement,
  Column,
  CreatedAt,
  DataType,
  Default,
  Model,
  PrimaryKey,
  Table,
  UpdatedAt,
} from 'sequelize-typescript';

@Table({ tableName: 'events' })
export class Event extends Model {
  @PrimaryKey @AutoIncrement @Column(DataType.INTEGER) declare id: number;
  @AllowNull(false) @Column(DataType.STRING(200)) declare name: string;
  @AllowNull(false) @Default('') @Column(DataType.TEXT) declare description: string;
  @AllowNull(false) @Column(DataType.INTEGER) declare capacity: number;
  /** Seats in HOLD rows, overdue ones included until they are marked EXPIRED. */
  @AllowNull(false) @Default(0) @Column(DataType.INTEGER) declare held: number;
  @AllowNull(false) @Default(0) @Column(DataType.INTEGER) declare confirmed: number;
  @AllowNull(false) @Column(DataType.DATE) declare startTime: Date;
  @AllowNull(false) @Column(DataType.DATE) declare endTime: Date;
  @AllowNull(false) @Default(true) @Column(DataType.BOOLEAN) declare isActive: boolean;
  @CreatedAt declare createdAt: Date;
  @UpdatedAt declare updatedAt: Date;
}
