import {
  AllowNull,
  AutoIncrement,
  BelongsTo,
  Column,
  CreatedAt,
  DataType,
  Default,
  ForeignKey,
  Model,
  PrimaryKey,
  Table,
  UpdatedAt,
} from 'sequelize-typescript';
import { User } from '../auth/auth.model';
import { Event } from '../events/events.model';

export const RESERVATION_STATUSES = ['HOLD', 'CONFIRMED', 'CANCELLED', 'EXPIRED'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

@Table({ tableName: 'reservations' })
export class Reservation extends Model {
  @PrimaryKey @AutoIncrement @Column(DataType.INTEGER) declare id: number;
  @ForeignKey(() => Event) @AllowNull(false) @Column(DataType.INTEGER) declare eventId: number;
  @ForeignKey(() => User) @AllowNull(false) @Column(DataType.INTEGER) declare userId: number;
  @AllowNull(false) @Default('HOLD') @Column(DataType.ENUM(...RESERVATION_STATUSES)) declare status: ReservationStatus;
  @AllowNull(false) @Column(DataType.INTEGER) declare quantity: number;
  @AllowNull(true) @Column(DataType.DATE) declare expiresAt: Date | null;
  @CreatedAt declare createdAt: Date;
  @UpdatedAt declare updatedAt: Date;

  @BelongsTo(() => Event) declare event?: Event;
  @BelongsTo(() => User) declare user?: User;
}
