"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ZMessage = exports.ZLogoutInput = exports.ZRefreshOutput = exports.ZRefreshInput = exports.ZTokenInput = exports.ZLoginOutput = exports.ZTokenPair = exports.ZLoginInput = exports.ZRegisterOutput = exports.ZRegisterInput = exports.ZUser = void 0;
exports.toUserDto = toUserDto;
const zod_1 = require("zod");
const validation_1 = require("../../validation");
const iso_time_1 = require("../../iso-time");
exports.ZUser = zod_1.z
    .object({
    id: zod_1.z.number().int(),
    username: zod_1.z.string(),
    email: zod_1.z.string(),
    first_name: zod_1.z.string(),
    last_name: zod_1.z.string(),
    created_at: zod_1.z.string().meta({ example: '2026-11-25T19:07:12.115568Z' }),
})
    .meta({ id: 'User' });
exports.ZRegisterInput = zod_1.z.strictObject({
    username: zod_1.z
        .string()
        .min(1)
        .max(150)
        .regex(/^[\w.@+-]+$/, {
        error: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    }),
    email: zod_1.z.email().max(254),
    password: zod_1.z.string().max(128),
    password2: zod_1.z.string().max(128),
    first_name: zod_1.z.string().max(150).optional(),
    last_name: zod_1.z.string().max(150).optional(),
});
exports.ZRegisterOutput = zod_1.z.object({ user: exports.ZUser, message: zod_1.z.string() });
/** Both fields optional in the schema: the old endpoint answered a missing one with its own 400 body. */
exports.ZLoginInput = zod_1.z.strictObject({
    username: zod_1.z.string().max(150).optional(),
    password: zod_1.z.string().max(128).optional(),
});
exports.ZTokenPair = zod_1.z.object({ refresh: zod_1.z.string(), access: zod_1.z.string() }).meta({ id: 'TokenPair' });
exports.ZLoginOutput = zod_1.z.object({ user: exports.ZUser, refresh: zod_1.z.string(), access: zod_1.z.string() });
exports.ZTokenInput = zod_1.z.strictObject({ username: zod_1.z.string().max(150), password: zod_1.z.string().max(128) });
exports.ZRefreshInput = zod_1.z.strictObject({ refresh: zod_1.z.string().max(4096) });
exports.ZRefreshOutput = zod_1.z.object({ access: zod_1.z.string(), refresh: zod_1.z.string() });
exports.ZLogoutInput = zod_1.z.strictObject({
    refresh: zod_1.z.string().max(4096).optional(),
    all_devices: (0, validation_1.zBool)().optional(),
});
exports.ZMessage = zod_1.z.object({ message: zod_1.z.string() });
function toUserDto(u) {
    return {
        id: u.id,
        username: u.username,
        email: u.email,
        first_name: u.firstName,
        last_name: u.lastName,
        created_at: (0, iso_time_1.isoUtc)(u.createdAt),
    };
}
