/** The signed-in user as procedures and services see it: a plain object (no ORM instance), so AppRouter's type stays light. */
export interface AuthUser {
  id: number;
  username: string;
  email: string;
  isSuperuser: boolean;
}
