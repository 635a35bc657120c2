/** The signed-in user as procedures and services see it: a plain object (no ORM instance), so AppRouter's type stays light. */
export interface AuthUser {
  id: number;
  username: string;
  email: string;
  isSuperuser: boolean;
}

/** The access token a request was authenticated with: what a single-device logout ends. */
export interface AccessSession {
  jti: string;
  exp: number;
}
