/**
 * Starts a real Kumulus control plane in-process for tests: real store (SQLite or PostgreSQL),
 * real local engine (LXC, bridge, nftables) under names no other test uses, and a bootstrap
 * operator. `stop()` removes every container, the bridge, the table, the database and the dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KumulusClient } from '@kumulus/api';
import pg from 'pg';
import { createLocalEngine } from '../src/drivers/local/index.ts';
import { type Running, type ServeOptions, serve } from '../src/serve.ts';

/** A running test control plane. */
export interface TestServer {
  url: string;
  operatorToken: string;
  operatorEmail: string;
  operatorPassword: string;
  client: KumulusClient;
  dataDir: string;
  running: Running;
  /** Stops the server and removes everything it made; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Options of a test server. It answers plain HTTP on 127.0.0.1:0 (`url`); `tlsListen: '127.0.0.1:0'` adds an HTTPS
 * listener with a certificate made in the data dir (`running.tls`: its URL and fingerprint).
 */
export interface TestServerOptions extends Partial<ServeOptions> {
  store?: 'sqlite' | 'postgres';
  /** Reuse an existing data dir (restart after a crash). */
  dataDir?: string;
  /** Keep the data dir, containers and database on stop (to restart on them). */
  keep?: boolean;
}

/** PostgreSQL admin URL for tests (set by scripts/test.sh). */
export function pgAdminUrl(): string {
  const url = process.env.KUMULUS_TEST_PG_URL;
  if (!url) throw new Error('KUMULUS_TEST_PG_URL is not set: run the tests through scripts/test.sh, which starts PostgreSQL');
  return url;
}

/** Makes an empty PostgreSQL database; answers its URL and a function that drops it. */
export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = pgAdminUrl();
  const name = `kumulus_t_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

/** Unique names for one test server's engine objects. */
export function engineNames(tag = randomBytes(3).toString('hex')) {
  const n = Number.parseInt(tag.slice(0, 4), 16);
  return {
    tag,
    bridge: `kmt${tag}`,
    nftTable: `kmt_${tag}`,
    // A /24 of its own per test server, so parallel test files never share a subnet.
    network: { cidr: `10.${100 + (n % 100)}.${n % 256}.0/24`, gateway: `10.${100 + (n % 100)}.${n % 256}.1` },
  };
}

/** Starts a test control plane. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kumulus-test-'));
  const names = engineNames(opts.bridge?.slice(3));
  const pgDb = opts.store === 'postgres' && !opts.storeUrl ? await createPgDatabase() : null;
  const operatorToken = opts.bootstrapToken ?? 'kmt_test_operator_token_0123456789';
  const operatorEmail = 'operator@kumulus.test';
  const operatorPassword = 'Operator-Pass-1234!';
  const engine = opts.engine ?? createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: opts.bridge ?? names.bridge, nftTable: opts.nftTable ?? names.nftTable });
  const cleanup = async () => {
    // Volumes first: their mounts and loop devices must not outlive the guests or the data dir.
    for (const id of await engine.storage.list()) await engine.storage.destroy(id);
    for (const id of await engine.compute.list()) await engine.compute.destroy(id);
    for (const id of await engine.network.listNetworks()) await engine.network.removeNetwork(id);
    await engine.network.removeDefault();
    await engine.firewall?.remove();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let running: Running;
  try {
    running = await serve({
      listen: '127.0.0.1:0',
      prepareImages: ['tiny'],
      sweepMs: 2000,
      // Operators' mandatory second factor would stop every test that signs in as the operator by password;
      // the tests of second factors turn it on.
      requireOperatorTwoFactor: false,
      ...opts,
      network: opts.network ?? names.network,
      engine,
      dataDir,
      storeUrl: opts.storeUrl ?? pgDb?.url,
      bootstrapToken: operatorToken,
      bootstrapEmail: operatorEmail,
      bootstrapPassword: operatorPassword,
    });
  } catch (err) {
    // A control plane that failed to start must not leave its data dir, bridge or database.
    if (!opts.keep) await cleanup().catch(() => {});
    throw err;
  }
  let stopped = false;
  return {
    url: running.url,
    operatorToken,
    operatorEmail,
    operatorPassword,
    client: new KumulusClient({ baseUrl: running.url, token: operatorToken }),
    dataDir,
    running,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await running.close();
      if (!opts.keep) await cleanup();
    },
  };
}
