// GET /api/admin/reservations/export.csv: the admin reservation list's filters, as CSV, streamed. A plain Fastify
// route (CSV is not a tRPC output) with the same checks as adminProcedure: a valid access token (401), a superuser
// (403), valid filters (400). Rows come from PostgreSQL one keyset chunk at a time, and the next chunk is read only
// when the socket has taken the previous one, so memory stays flat whatever the number of rows.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, sendRestError } from '../errors';
import { ZAdminReservationFilters } from '../modules/admin/admin.schema';
import type { ReservationDto } from '../modules/reservations/reservations.schema';
import type { Services } from '../services';
import { fieldErrorsFromZod } from '../validation';

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
] as const satisfies readonly (keyof ReservationDto)[];

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is
 * prefixed with a quote mark: event names and usernames are user input.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(r: ReservationDto): string {
  return `${COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`;
}

export async function adminExportPlugin(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let user;
    try {
      user = await services.auth.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof AppError) return sendRestError(reply, error);
      throw error;
    }
    if (!user.isSuperuser) {
      return sendRestError(reply, new AppError('FORBIDDEN', 'You do not have permission to perform this action.'));
    }
    const parsed = ZAdminReservationFilters.safeParse(request.query ?? {});
    if (!parsed.success) return sendRestError(reply, AppError.validation(fieldErrorsFromZod(parsed.error)));
    const chunks = services.reservationSearch.exportChunks(parsed.data);
    async function* lines(): AsyncGenerator<string> {
      yield `${COLUMNS.join(',')}\r\n`;
      for await (const chunk of chunks) yield chunk.map(csvLine).join('');
    }
    const body = Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 });
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
