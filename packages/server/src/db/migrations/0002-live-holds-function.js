"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.down = exports.up = void 0;
const up = async ({ context: sequelize }) => {
    await sequelize.query(`
    CREATE FUNCTION live_holds_of_user(p_event integer, p_user integer) RETURNS integer
      LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$
    BEGIN
      RETURN (SELECT count(*) FROM reservations
               WHERE event_id = p_event AND user_id = p_user AND status = 'HOLD' AND expires_at > now());
    END
    $$;
  `);
};
exports.up = up;
const down = async ({ context: sequelize }) => {
    await sequelize.query('DROP FUNCTION IF EXISTS live_holds_of_user(integer, integer)');
};
exports.down = down;
