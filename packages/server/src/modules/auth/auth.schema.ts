import { z } from 'zod';
import { zBool } from '../../validation';
import { isoUtc } from '../../iso-time';

export const ZUser = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    created_at: z.string().meta({ example: '2026-11-25T19:07:12.115568Z' }),
  })
  .meta({ id: 'User' });
export type UserDto = z.infer<typeof ZUser>;

export const ZRegisterInput = z.strictObject({
  username: z
    .string()
    .min(1)
    .max(150)
    .regex(/^[\w.@+-]+$/, {
      error: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    }),
  email: z.email().max(254),
  password: z.string().max(128),
  password2: z.string().max(128),
  first_name: z.string().max(150).optional(),
  last_name: z.string().max(150).optional(),
});
export type RegisterInput = z.infer<typeof ZRegisterInput>;

export const ZRegisterOutput = z.object({ user: ZUser, message: z.string() });

/** Both fields optional in the schema: the old endpoint answered a missing one with its own 400 body. */
export const ZLoginInput = z.strictObject({
  username: z.string().max(150).optional(),
  password: z.string().max(128).optional(),
});
export type LoginInput = z.infer<typeof ZLoginInput>;

export const ZTokenPair = z.object({ refresh: z.string(), access: z.string() }).meta({ id: 'TokenPair' });
export type TokenPair = z.infer<typeof ZTokenPair>;

export const ZLoginOutput = z.object({ user: ZUser, refresh: z.string(), access: z.string() });

export const ZTokenInput = z.strictObject({ username: z.string().max(150), password: z.string().max(128) });
export type TokenInput = z.infer<typeof ZTokenInput>;

export const ZRefreshInput = z.strictObject({ refresh: z.string().max(4096) });
export const ZRefreshOutput = z.object({ access: z.string(), refresh: z.string() });

export const ZLogoutInput = z.strictObject({
  refresh: z.string().max(4096).optional(),
  all_devices: zBool().optional(),
});
export type LogoutInput = z.infer<typeof ZLogoutInput>;

export const ZMessage = z.object({ message: z.string() });

export function toUserDto(u: {
  id: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  createdAt: Date;
}): UserDto {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    created_at: isoUtc(u.createdAt),
  };
}
