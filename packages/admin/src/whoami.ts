// Who is signed in, shared with the screens (the users screen greys out what an admin may not do to themselves).
import type { RouterOutputs, User } from '@holdfast/sdk';
import { createContext, useContext } from 'react';

export type AdminUser = RouterOutputs['admin']['users']['list']['results'][number];

export interface WhoAmI {
  me: User;
  isAdmin: boolean;
  self: AdminUser | null;
}

export const WhoAmIContext = createContext<WhoAmI | null>(null);

export function useWhoAmI(): WhoAmI {
  const value = useContext(WhoAmIContext);
  if (!value) throw new Error('useWhoAmI outside the signed-in shell');
  return value;
}
