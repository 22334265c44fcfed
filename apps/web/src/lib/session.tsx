/**
 * Who is signed in. Holds `/auth/me`, signs in and out, and turns a 401 from any later
 * request into "session expired": back to sign-in with a message, remembering where the
 * user was so sign-in returns there.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { Me } from '@kumulus/api/schemas';
import { needsSecondFactor, securityApi } from '@kumulus/api/security-client';
import type { SecondFactorChallenge, SecondFactorLogin } from '@kumulus/api';
import { api, onUnauthorized } from './api.ts';
import { navigate } from 'wouter/use-browser-location';
import { queryClient } from './use-poll.ts';

/** Why the sign-in page is shown, for its notice. */
export type SignedOutReason = 'expired' | 'signedOut' | null;

/** The session as the app sees it. */
export interface Session {
  /** undefined while the first `/auth/me` runs, null when signed out. */
  me: Me | null | undefined;
  reason: SignedOutReason;
  isOperator: boolean;
  /** The password step; answers the second step when a second factor is due, else null (signed in). */
  signIn: (email: string, password: string) => Promise<SecondFactorChallenge['secondFactor'] | null>;
  /** The second step: the challenge with a TOTP or recovery code. */
  signInSecondFactor: (proof: SecondFactorLogin) => Promise<void>;
  /** Takes a fresh `/auth/me` (after enrolling a second factor). */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const security = securityApi(api);

const Ctx = createContext<Session | null>(null);

/** The path to return to after signing in, taken from `?next=` if it is a local path. */
export function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/servers';
}

function toSignIn(): void {
  const here = location.pathname + location.search;
  if (location.pathname === '/sign-in') return;
  navigate(here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
}

/** Loads and holds the session for the whole app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [reason, setReason] = useState<SignedOutReason>(null);
  const signedIn = useRef(false);
  signedIn.current = Boolean(me);

  useEffect(() => {
    api.me().then(setMe, () => setMe(null));
  }, []);

  useEffect(
    () =>
      onUnauthorized(() => {
        // Only a session that existed can expire; a first visit just lands on sign-in.
        if (signedIn.current) setReason('expired');
        queryClient.clear();
        setMe(null);
        toSignIn();
      }),
    [],
  );

  const signedInAs = useCallback((who: Me) => {
    queryClient.clear();
    setReason(null);
    setMe(who);
    // A session that must first enrol a second factor may do nothing else: straight to the security page.
    navigate(who.twoFactor.mustEnrol ? '/security' : nextPath(), { replace: true });
  }, []);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const result = await api.login(email, password);
      if (needsSecondFactor(result)) return result.secondFactor;
      signedInAs(result);
      return null;
    },
    [signedInAs],
  );

  const signInSecondFactor = useCallback(async (proof: SecondFactorLogin) => signedInAs(await security.loginSecondFactor(proof)), [signedInAs]);

  const refresh = useCallback(async () => setMe(await api.me()), []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      // Nothing the last user saw may show up for the next one on this browser.
      queryClient.clear();
      setReason('signedOut');
      setMe(null);
      navigate('/sign-in', { replace: true });
    }
  }, []);

  const value = useMemo<Session>(
    () => ({ me, reason, isOperator: me?.user.role === 'operator', signIn, signInSecondFactor, refresh, signOut }),
    [me, reason, signIn, signInSecondFactor, refresh, signOut],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The current session. */
export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** Sends a signed-out visitor to sign-in, keeping the path they wanted. */
export function redirectToSignIn(): void {
  toSignIn();
}
