"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.csvCell = csvCell;
exports.adminExportPlugin = adminExportPlugin;
// GET /api/admin/reservations/export.csv: the admin reservation list's filters, as CSV, streamed. A plain Fastify
// route (CSV is not a tRPC output) with the same checks as adminProcedure: a valid access token (401), a superuser
// (403), valid filters (400). Rows come from PostgreSQL one keyset chunk at a time, and the next chunk is read only
// when the socket has taken the previous one, so memory stays flat whatever the number of rows.
const node_stream_1 = require("node:stream");
const errors_1 = require("../errors");
const admin_schema_1 = require("../modules/admin/admin.schema");
const validation_1 = require("../validation");
const COLUMNS = [
    'id',
    'event',
    'event_name',
    'user',
    'user_username',
    'status',
    'quantity',
    'expires_at',
    'created_at',
    'updated_at',
];
/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is
 * prefixed with a quote mark: event names and usernames are user input.
 */
function csvCell(value) {
    if (value === null)
        return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text))
        text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
function csvLine(r) {
    return `${COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`;
}
function sendError(reply, error) {
    if (error.retryAfter !== undefined)
        reply.header('retry-after', String(error.retryAfter));
    return reply.status(error.status).send((0, errors_1.restErrorBody)(error.code, error.message, error.rest, error.fields));
}
async function adminExportPlugin(app, opts) {
    const { services } = opts;
    const handler = async (request, reply) => {
        let user;
        try {
            user = await services.auth.authenticate(request.headers.authorization);
        }
        catch (error) {
            if (error instanceof errors_1.AppError)
                return sendError(reply, error);
            throw error;
        }
        if (!user.isSuperuser) {
            return sendError(reply, new errors_1.AppError('FORBIDDEN', 'You do not have permission to perform this action.'));
        }
        const parsed = admin_schema_1.ZAdminReservationFilters.safeParse(request.query ?? {});
        if (!parsed.success)
            return reply.status(400).send((0, validation_1.fieldErrorsFromZod)(parsed.error));
        const chunks = services.reservationSearch.exportChunks(parsed.data);
        async function* lines() {
            yield `${COLUMNS.join(',')}\r\n`;
            for await (const chunk of chunks)
                yield chunk.map(csvLine).join('');
        }
        const body = node_stream_1.Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 });
        body.on('error', (err) => request.log.error({ err }, 'CSV export failed mid-stream'));
        return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="reservations.csv"')
            .header('cache-control', 'no-store')
            .send(body);
    };
    app.get('/api/admin/reservations/export.csv', handler);
    app.get('/api/admin/reservations/export.csv/', handler);
}
