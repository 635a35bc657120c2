import {
  AllowNull,
  AutoIncrement,
  BelongsTo,
  Column,
  CreatedAt,
  DataType,
  Default,
  ForeignKey,
  HasMany,
  Model,
  PrimaryKey,
  Table,
  UpdatedAt,
} from 'sequelize-typescript';

@Table({ tableName: 'users' })
export class User extends Model {
  @PrimaryKey @AutoIncrement @Column(DataType.INTEGER) declare id: number;
  @AllowNull(false) @Column(DataType.STRING(150)) declare username: string;
  @AllowNull(false) @Column(DataType.STRING(254)) declare email: string;
  /** bcrypt hash; never serialized (the User schema has no such field). */
  @AllowNull(false) @Column(DataType.STRING(128)) declare password: string;
  @AllowNull(false) @Default('') @Column(DataType.STRING(150)) declare firstName: string;
  @AllowNull(false) @Default('') @Column(DataType.STRING(150)) declare lastName: string;
  @AllowNull(false) @Default(false) @Column(DataType.BOOLEAN) declare isSuperuser: boolean;
  @AllowNull(false) @Default(true) @Column(DataType.BOOLEAN) declare isActive: boolean;
  @AllowNull(true) @Column(DataType.DATE) declare lastLogin: Date | null;
  @CreatedAt declare createdAt: Date;
  @UpdatedAt declare updatedAt: Date;

  @HasMany(() => OutstandingToken) declare tokens?: OutstandingToken[];
}

@Table({ tableName: 'outstanding_tokens', updatedAt: false })
export class OutstandingToken extends Model {
  @PrimaryKey @AutoIncrement @Column(DataType.BIGINT) declare id: string;
  @ForeignKey(() => User) @AllowNull(false) @Column(DataType.INTEGER) declare userId: number;
  @AllowNull(false) @Column(DataType.UUID) declare jti: string;
  @CreatedAt declare createdAt: Date;
  @AllowNull(false) @Column(DataType.DATE) declare expiresAt: Date;

  @BelongsTo(() => User) declare user?: User;
}

@Table({ tableName: 'blacklisted_tokens', timestamps: false })
export class BlacklistedToken extends Model {
  @PrimaryKey @AutoIncrement @Column(DataType.BIGINT) declare id: string;
  @ForeignKey(() => OutstandingToken) @AllowNull(false) @Column(DataType.BIGINT) declare tokenId: string;
  @AllowNull(false) @Default(DataType.NOW) @Column(DataType.DATE) declare blacklistedAt: Date;
}

@Table({ tableName: 'login_failures', timestamps: false })
export class LoginFailure extends Model {
  @PrimaryKey @Column(DataType.STRING(150)) declare usernameKey: string;
  @AllowNull(false) @Column(DataType.INTEGER) declare failures: number;
  @AllowNull(false) @Column(DataType.DATE) declare windowStartedAt: Date;
}
