// Which actions a reservation's status allows (API.md): a live HOLD may be extended, expired or cancelled; a
// lapsed HOLD and a CONFIRMED one may only be cancelled; CANCELLED and EXPIRED are final.
export type ReservationAction = 'cancel' | 'extend' | 'expire';

export function allowedActions(
  r: { status: string; expires_at: string | null },
  now: number = Date.now(),
): ReservationAction[] {
  if (r.status === 'CONFIRMED') return ['cancel'];
  if (r.status !== 'HOLD') return [];
  const live = r.expires_at !== null && new Date(r.expires_at).getTime() > now;
  return live ? ['extend', 'expire', 'cancel'] : ['cancel'];
}
