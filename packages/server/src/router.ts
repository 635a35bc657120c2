// The one router: the single source of truth for both transports (tRPC at /trpc, REST at /api).
import { adminRouter } from './modules/admin/admin.router';
import { authRouter } from './modules/auth/auth.router';
import { eventsRouter } from './modules/events/events.router';
import { reservationsRouter } from './modules/reservations/reservations.router';
import { router } from './trpc/procedures';

export const appRouter = router({
  auth: authRouter,
  events: eventsRouter,
  reservations: reservationsRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
