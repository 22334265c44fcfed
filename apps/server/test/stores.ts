import { after, before, describe } from 'node:test';
import { startTestServer, type TestServer, type TestServerOptions } from './harness.ts';

/** Both stores the API must behave the same on. */
export const STORES = ['sqlite', 'postgres'] as const;

/**
 * Registers `body` once per store, each with a test server started before and stopped after
 * (also when a test fails). `get()` answers the running server inside the tests.
 */
export function describeEachStore(name: string, body: (get: () => TestServer) => void, opts: TestServerOptions = {}) {
  for (const store of STORES) {
    describe(`${name} [${store}]`, () => {
      let server: TestServer | undefined;
      before(async () => {
        server = await startTestServer({ ...opts, store });
      });
      after(async () => {
        await server?.stop();
      });
      body(() => {
        if (!server) throw new Error('test server did not start');
        return server;
      });
    });
  }
}

/** Sends a raw request (for what the typed client will not send: bad JSON, odd headers). */
export async function raw(base: string, method: string, path: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
