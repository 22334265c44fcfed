/**
 * A real control plane for the CLI tests (the server's test harness), plus the environment that points the CLI at it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '@kumulus/api';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';

/** A running server, the operator's client, and the CLI environment for it. */
export interface CliTestServer extends TestServer {
  /** KUMULUS_URL, KUMULUS_TOKEN, a private KUMULUS_CONFIG and English messages. */
  env: Record<string, string>;
  /** The smallest plan, so that tests create the cheapest servers. */
  plan: string;
  configDir: string;
}

/** Starts the server with its bootstrap operator and prepares a private config directory. */
export async function startCliTestServer(opts: Parameters<typeof startTestServer>[0] = {}): Promise<CliTestServer> {
  const server = await startTestServer(opts);
  const configDir = await mkdtemp(join(tmpdir(), 'kumulus-cli-'));
  const plans = await server.client.all((q) => server.client.listPlans(q)).catch(async (err) => {
    await server.stop();
    throw err;
  });
  const plan = plans.sort((a, b) => a.memoryMb - b.memoryMb)[0];
  if (!plan) throw new Error('the test server has no plans');
  return {
    ...server,
    configDir,
    plan: plan.name,
    env: {
      KUMULUS_URL: server.url,
      KUMULUS_TOKEN: server.operatorToken,
      KUMULUS_CONFIG: join(configDir, 'config.json'),
      KUMULUS_LANG: 'en',
    },
    async stop() {
      await server.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** Deletes every server whose name starts with `prefix` and waits until each is gone. */
export async function cleanupServers(ts: CliTestServer | undefined, prefix: string): Promise<void> {
  if (!ts) return;
  const { client } = ts;
  const servers = (await client.all((q) => client.listServers(q))).filter((s) => s.name.startsWith(prefix));
  const results = await Promise.allSettled(
    servers.map(async (s) => {
      // A server the test already began to delete answers 404 once it is gone: that is the goal.
      const op = await client.deleteServer(s.id).catch((err) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      });
      if (!op) return;
      const done = await client.waitOperation(op.id, 120);
      if (done.state !== 'succeeded') throw new Error(`deleting ${s.name}: ${done.state} ${done.error?.message ?? ''}`);
    }),
  );
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) throw new AggregateError(failed.map((f) => (f as PromiseRejectedResult).reason), 'cleanup left servers behind');
}
