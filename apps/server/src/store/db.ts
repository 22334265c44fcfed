import { Kysely, PostgresDialect, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import pg from 'pg';
import * as initial from './migrations/001-initial.ts';
import * as sshKeys from './migrations/002-ssh-keys.ts';
import * as ipReleases from './migrations/003-ip-releases.ts';
import * as networks from './migrations/004-networks.ts';
import * as ipCursors from './migrations/005-ip-cursors.ts';
import * as billing from './migrations/006-billing.ts';
import * as volumes from './migrations/007-volumes.ts';
import * as nicTraffic from './migrations/008-nic-traffic.ts';
import * as publicIps from './migrations/009-public-ips.ts';
import * as firewalls from './migrations/010-firewalls.ts';
import * as snapshots from './migrations/011-snapshots.ts';
import * as quotasDunning from './migrations/012-quotas-dunning.ts';
import * as invoices from './migrations/013-invoices.ts';
import * as proxmoxClusters from './migrations/014-proxmox-clusters.ts';
import * as webhooks from './migrations/015-webhooks.ts';
import * as planTraffic from './migrations/016-plan-traffic.ts';
import * as backups from './migrations/017-backups.ts';
import * as monitors from './migrations/018-monitors.ts';
import * as secondFactors from './migrations/019-second-factors.ts';
import * as meteredKinds from './migrations/020-metered-kinds.ts';
import * as networkIpv6 from './migrations/021-network-ipv6.ts';
import * as networkLabels from './migrations/022-network-labels.ts';
import * as priceCaps from './migrations/033-price-caps.ts';
import * as clusterRegistry from './migrations/035-cluster-registry.ts';
import * as scheduleActiveSince from './migrations/036-schedule-active-since.ts';
import * as moreLabels from './migrations/025-more-labels.ts';
import * as firewallLog from './migrations/023-firewall-log.ts';
import * as zonePools from './migrations/024-zone-pools.ts';
import type { Database } from './schema.ts';
import { openNodeSqlite, SerializedSqliteDriver } from './sqlite.ts';

/** The store: a Kysely handle plus which engine is behind it. */
export interface Store {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

// Versioned migrations, applied in name order; never edit one that has landed.
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-ssh-keys': sshKeys,
  '003-ip-releases': ipReleases,
  '004-networks': networks,
  '005-ip-cursors': ipCursors,
  '006-billing': billing,
  '007-volumes': volumes,
  '008-nic-traffic': nicTraffic,
  '009-public-ips': publicIps,
  '010-firewalls': firewalls,
  '011-snapshots': snapshots,
  '012-quotas-dunning': quotasDunning,
  '013-invoices': invoices,
  '014-proxmox-clusters': proxmoxClusters,
  '015-webhooks': webhooks,
  '016-plan-traffic': planTraffic,
  '017-backups': backups,
  '018-monitors': monitors,
  '019-second-factors': secondFactors,
  '020-metered-kinds': meteredKinds,
  '021-network-ipv6': networkIpv6,
  '022-network-labels': networkLabels,
  '033-price-caps': priceCaps,
  '035-cluster-registry': clusterRegistry,
  '036-schedule-active-since': scheduleActiveSince,
  '025-more-labels': moreLabels,
  '023-firewall-log': firewallLog,
  '024-zone-pools': zonePools,
};

// PostgreSQL answers bigint (int8) as a string to keep precision; our bigints are epoch
// milliseconds and minor currency units, well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Opens the store named by `url`: `sqlite:/path/to/file.db` (or `sqlite::memory:`) or
 * `postgres://user:pass@host/db`, and applies pending migrations.
 */
export async function openStore(url: string): Promise<Store> {
  let db: Kysely<Database>;
  let dialect: Store['dialect'];
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    dialect = 'sqlite';
    db = new Kysely<Database>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new SerializedSqliteDriver({ database: openNodeSqlite(path) as never }),
        createIntrospector: (k) => new SqliteIntrospector(k),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection the server ends (a restart, an administrator) is dropped by the pool,
    // which then emits 'error'; unheard, that event would end the whole process.
    pool.on('error', (err) => console.error(`kumulus: an idle database connection ended: ${err.message}`));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    throw new Error(`unsupported store URL ${url}: use sqlite:/path/file.db or postgres://…`);
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect, close: () => db.destroy() };
}
