// The shell: signed out → the sign-in form; signed in but not a superuser → told so, and nothing else is loaded;
// an admin → the navigation and the screen the URL names.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, useSyncExternalStore } from 'react';
import { client, currentSession, onSessionChange, signOut } from './api';
import { ErrorBox, Loading } from './components/ui';
import { errorCode } from './errors';
import { Link, matchPath, useLocation } from './router';
import { AuditScreen } from './screens/AuditScreen';
import { EventForm } from './screens/EventForm';
import { EventPage } from './screens/EventPage';
import { EventsScreen } from './screens/EventsScreen';
import { ReservationsScreen } from './screens/ReservationsScreen';
import { SignIn } from './screens/SignIn';
import { UsersScreen } from './screens/UsersScreen';
import { WhoAmIContext, type WhoAmI } from './whoami';

export function App() {
  const session = useSyncExternalStore(onSessionChange, currentSession);
  if (!session) return <SignIn />;
  return <SignedIn />;
}

function useSignOut() {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    await signOut();
    setBusy(false);
    queryClient.clear();
  };
  return { signOut: run, busy };
}

function SignedIn() {
  const { signOut, busy } = useSignOut();
  const whoami = useQuery({
    queryKey: ['whoami'],
    staleTime: 60_000,
    queryFn: async (): Promise<WhoAmI> => {
      const me = await client.auth.me.query();
      try {
        // A superuser-only call: 403 is the plain answer "not an admin". It also brings this admin's own flags.
        const found = await client.admin.users.list.query({ q: me.username });
        return { me, isAdmin: true, self: found.results.find((u) => u.id === me.id) ?? null };
      } catch (error) {
        if (errorCode(error) === 'FORBIDDEN') return { me, isAdmin: false, self: null };
        throw error;
      }
    },
  });

  if (whoami.isPending) return <Loading what="Signing in" />;
  if (whoami.isError) {
    return (
      <main className="centered">
        <ErrorBox error={whoami.error} onRetry={() => void whoami.refetch()} />
      </main>
    );
  }
  const me = whoami.data;
  if (!me.isAdmin) {
    return (
      <main className="centered">
        <section className="card narrow" aria-labelledby="refused-title">
          <h1 id="refused-title">This is the back office for admins</h1>
          <p>
            You are signed in as <strong>{me.me.username}</strong>, which is not an admin account, so there is nothing
            for you here. Reservations are made in the Holdfast app or through the API.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => void signOut()} disabled={busy}>
            Sign out
          </button>
        </section>
      </main>
    );
  }
  return (
    <WhoAmIContext.Provider value={me}>
      <div className="layout">
        <header className="topbar">
          <Link to="/events" className="brand">
            Holdfast <span>back office</span>
          </Link>
          <Nav />
          <div className="account">
            <span className="muted" title="Signed in as">
              {me.me.username}
            </span>
            <button type="button" className="btn btn-small" onClick={() => void signOut()} disabled={busy}>
              Sign out
            </button>
          </div>
        </header>
        <main className="content">
          <Screen />
        </main>
      </div>
    </WhoAmIContext.Provider>
  );
}

const SECTIONS = [
  { to: '/events', label: 'Events' },
  { to: '/reservations', label: 'Reservations' },
  { to: '/users', label: 'Users' },
  { to: '/audit', label: 'Audit log' },
] as const;

function Nav() {
  const { path } = useLocation();
  return (
    <nav className="nav" aria-label="Sections">
      {SECTIONS.map((s) => {
        const current = path === s.to || path.startsWith(`${s.to}/`) || (path === '/' && s.to === '/events');
        return (
          <Link key={s.to} to={s.to} aria-current={current ? 'page' : undefined}>
            {s.label}
          </Link>
        );
      })}
    </nav>
  );
}

function Screen() {
  const { path } = useLocation();
  if (path === '/' || path === '/events') return <EventsScreen />;
  if (path === '/events/new') return <EventForm />;
  const edit = matchPath('/events/:id/edit', path);
  if (edit && /^\d+$/.test(edit.id!)) return <EventForm id={Number(edit.id)} />;
  const event = matchPath('/events/:id', path);
  if (event && /^\d+$/.test(event.id!)) return <EventPage id={Number(event.id)} />;
  if (path === '/reservations') return <ReservationsScreen />;
  if (path === '/users') return <UsersScreen />;
  if (path === '/audit') return <AuditScreen />;
  return (
    <section className="card narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/events">Go to the events</Link>.
      </p>
    </section>
  );
}
