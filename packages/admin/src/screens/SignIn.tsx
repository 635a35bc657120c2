// Sign-in: username and password through auth.login; the SDK keeps the tokens it returns.
import { useState, type FormEvent } from 'react';
import { client, takeSessionEnd } from '../api';
import { describeError, errorCode } from '../errors';

export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ended] = useState(takeSessionEnd);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.auth.login.mutate({ username, password });
    } catch (err) {
      const status = (err as { data?: { httpStatus?: number } }).data?.httpStatus;
      setError(
        status === 401 || errorCode(err) === 'UNAUTHORIZED'
          ? 'The username or password is not right.'
          : describeError(err),
      );
      setBusy(false);
    }
  };

  return (
    <main className="centered signin">
      <form className="card narrow" onSubmit={submit} aria-labelledby="signin-title">
        <p className="brand brand-large">
          Holdfast <span>back office</span>
        </p>
        <h1 id="signin-title">Sign in</h1>
        {ended === 'signed-out' && <p className="alert alert-info">You have been signed out.</p>}
        {ended === 'expired' && (
          <p className="alert alert-warning" role="alert">
            Your session has ended (it expired or was revoked). Sign in again to continue.
          </p>
        )}
        <div className="field">
          <label htmlFor="username">Username</label>
          <input
            id="username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
