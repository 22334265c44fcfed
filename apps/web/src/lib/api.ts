/**
 * The dashboard's one API client: same origin, authenticated by the session cookie.
 * Its fetch adds the page's language and reports a 401 on any call but sign-in, which
 * is how an expired session sends the user back to the sign-in page.
 */
import { ApiError, KumulusClient } from '@kumulus/api/client';
import { apiLanguage } from '../i18n/i18n.tsx';

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Calls `fn` whenever the API answers 401 to a signed-in request; returns an unsubscribe. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

async function dashboardFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('accept-language', apiLanguage());
  const res = await fetch(input, { ...init, headers });
  const path = new URL(String(input instanceof Request ? input.url : input), location.href).pathname;
  // A failed sign-in or the first "who am I" is not an expiry; everything else is.
  if (res.status === 401 && !path.endsWith('/auth/login') && !path.endsWith('/auth/login/second-factor') && !path.endsWith('/auth/me')) {
    for (const fn of unauthorizedListeners) fn();
  }
  return res;
}

/** The typed API client every page uses. */
export const api = new KumulusClient({ fetch: dashboardFetch });

/** Turns any thrown value into a message to show, preferring the API's own localized text. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The API's field errors keyed by field name (`/name`, `body.name` and `name` all become `name`). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const d of err.details) {
    const key = d.field.replace(/^(body[./])?\/?/, '').split(/[./]/)[0] ?? d.field;
    out[key] ??= d.message;
  }
  return out;
}

export { ApiError };

/**
 * A refusal split for a form: the messages for the fields it shows, and the error itself
 * when something is left to say elsewhere (no field error, or one about a field it lacks).
 */
export function formErrors(err: unknown, shown: readonly string[], fields: Record<string, string> = fieldErrors(err)): { fields: Record<string, string>; rest: unknown } {
  const keys = Object.keys(fields);
  const all = keys.length > 0 && keys.every((k) => shown.includes(k));
  return { fields, rest: all ? undefined : err };
}
