/**
 * Metrics read at scrape time: the work queue, operations, tenants' credit and volumes from the store,
 * every server's usage from the engine (cgroups, NIC counters) and the host from /proc.
 */
import type { Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Engine } from '../../../drivers/types.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Database } from '../../../store/schema.ts';
import { readHost } from './host.ts';

/** Micro-cents per currency unit (the ledger's amounts are in micro-cents). */
const UC_PER_UNIT = 100_000_000;

/** Registers the scrape-time metrics on `registry`; `refresh()` reads everything anew before each scrape. */
export function createInventoryMetrics(d: { registry: Registry; db: Kysely<Database>; engine: Engine; clock: Clock; dataDir: string; currency: string }) {
  const registers = [d.registry];
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
  // Counters the kernel keeps: reset and set to its value on every scrape (prom-client counters only add).
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers });
  const server = ['server_id', 'server_name', 'tenant_id'];

  const m = {
    queueItems: gauge('kumulus_queue_items', 'Rows in the work queue, by kind.', ['kind']),
    queueDue: gauge('kumulus_queue_due_items', 'Work-queue rows whose time has come and that no worker holds, by kind.', ['kind']),
    queueOldest: gauge('kumulus_queue_oldest_due_age_seconds', 'How long the longest-waiting due work-queue row has waited, by kind.', ['kind']),
    queueFailing: gauge('kumulus_queue_failing_items', 'Work-queue rows whose last pass failed, by kind.', ['kind']),
    operations: gauge('kumulus_operations', 'Operations in the store, by kind and state (succeeded and failed are outcomes).', ['kind', 'state']),
    credit: gauge('kumulus_tenant_credit', "A tenant's prepaid credit in its currency's units (negative: owed).", ['tenant_id', 'tenant_name', 'currency']),
    volumeSize: gauge('kumulus_volume_size_bytes', 'Provisioned size of each block volume.', ['volume_id', 'volume_name', 'tenant_id']),
    serverInfo: gauge('kumulus_server_info', 'One per server with its phase; always 1.', [...server, 'phase']),
    serverCpu: counter('kumulus_server_cpu_seconds_total', 'CPU time used by a running server since it started, from its cgroup.', server),
    serverMemory: gauge('kumulus_server_memory_bytes', "Memory a running server's cgroup uses now (page cache included).", server),
    serverDiskRead: counter('kumulus_server_disk_read_bytes_total', 'Bytes a running server read from block devices since it started.', server),
    serverDiskWritten: counter('kumulus_server_disk_written_bytes_total', 'Bytes a running server wrote to block devices since it started.', server),
    serverDiskReads: counter('kumulus_server_disk_reads_total', 'Read operations of a running server on block devices since it started.', server),
    serverDiskWrites: counter('kumulus_server_disk_writes_total', 'Write operations of a running server on block devices since it started.', server),
    nicReceive: counter('kumulus_server_network_receive_bytes_total', 'Bytes a server received on a NIC, from the host side of its link (since the link was made).', [...server, 'nic_id']),
    nicTransmit: counter('kumulus_server_network_transmit_bytes_total', 'Bytes a server sent on a NIC, from the host side of its link (since the link was made).', [...server, 'nic_id']),
    hostCpu: counter('kumulus_host_cpu_seconds_total', "The host's CPU time since boot, summed over its CPUs, by mode.", ['mode']),
    hostCpus: gauge('kumulus_host_cpus', 'Logical CPUs of the host.'),
    hostLoad: gauge('kumulus_host_load1', "The host's load average over one minute."),
    hostMemTotal: gauge('kumulus_host_memory_total_bytes', "The host's physical memory."),
    hostMemAvail: gauge('kumulus_host_memory_available_bytes', 'Memory the host can hand out without swapping (MemAvailable).'),
    hostFsSize: gauge('kumulus_host_filesystem_size_bytes', 'Size of the filesystem holding the data directory.', ['path']),
    hostFsAvail: gauge('kumulus_host_filesystem_available_bytes', 'Space left for Kumulus on the filesystem holding the data directory.', ['path']),
    hostDiskRead: counter('kumulus_host_disk_read_bytes_total', 'Bytes read from each whole disk of the host since boot.', ['device']),
    hostDiskWritten: counter('kumulus_host_disk_written_bytes_total', 'Bytes written to each whole disk of the host since boot.', ['device']),
    hostNetReceive: counter('kumulus_host_network_receive_bytes_total', 'Bytes received on each host interface (guest links left out) since it came up.', ['device']),
    hostNetTransmit: counter('kumulus_host_network_transmit_bytes_total', 'Bytes sent on each host interface (guest links left out) since it came up.', ['device']),
  };

  async function refreshStore(now: number) {
    const queue = await d.db.selectFrom('reconcile_queue').select(['kind', 'next_at', 'attempts', 'lease_until']).execute();
    const byKind = new Map<string, { items: number; due: number; oldest: number; failing: number }>();
    for (const r of queue) {
      const k = byKind.get(r.kind) ?? { items: 0, due: 0, oldest: 0, failing: 0 };
      k.items++;
      const next = Number(r.next_at);
      if (next <= now && (r.lease_until === null || Number(r.lease_until) < now)) {
        k.due++;
        k.oldest = Math.max(k.oldest, (now - next) / 1000);
      }
      if (r.attempts > 0) k.failing++;
      byKind.set(r.kind, k);
    }
    for (const [kind, k] of byKind) {
      m.queueItems.set({ kind }, k.items);
      m.queueDue.set({ kind }, k.due);
      m.queueOldest.set({ kind }, k.oldest);
      m.queueFailing.set({ kind }, k.failing);
    }
    const ops = await d.db.selectFrom('operations').select(['kind', 'state', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy(['kind', 'state']).execute();
    for (const o of ops) m.operations.set({ kind: o.kind, state: o.state }, Number(o.n));
    const tenants = await d.db.selectFrom('tenants').select(['id', 'name']).execute();
    const sums = await d.db.selectFrom('ledger_entries').select(['account', (eb) => eb.fn.sum<number | string | null>('amount_uc').as('sum')]).where('account', 'like', 'tenant:%').groupBy('account').execute();
    const balance = new Map(sums.map((s) => [s.account.slice('tenant:'.length), Number(s.sum ?? 0)]));
    for (const t of tenants) m.credit.set({ tenant_id: t.id, tenant_name: t.name, currency: d.currency }, (balance.get(t.id) ?? 0) / UC_PER_UNIT);
    for (const v of await d.db.selectFrom('volumes').select(['id', 'name', 'tenant_id', 'size_gb']).execute()) {
      m.volumeSize.set({ volume_id: v.id, volume_name: v.name, tenant_id: v.tenant_id }, v.size_gb * 1024 ** 3);
    }
  }

  async function refreshServers() {
    const rows = await d.db.selectFrom('servers').select(['id', 'name', 'tenant_id', 'spec', 'status']).execute();
    const labelsOf = new Map(rows.map((r) => [r.id, { server_id: r.id, server_name: r.name, tenant_id: r.tenant_id }]));
    for (const r of rows) m.serverInfo.set({ ...labelsOf.get(r.id)!, phase: (JSON.parse(r.status) as { phase?: string }).phase ?? 'Unknown' }, 1);
    const usage = d.engine.usage ? await d.engine.usage.instances(rows.map((r) => r.id)) : new Map();
    for (const [id, u] of usage) {
      const l = labelsOf.get(id)!;
      m.serverCpu.inc(l, u.cpuSeconds);
      m.serverMemory.set(l, u.memoryBytes);
      m.serverDiskRead.inc(l, u.diskReadBytes);
      m.serverDiskWritten.inc(l, u.diskWriteBytes);
      m.serverDiskReads.inc(l, u.diskReads);
      m.serverDiskWrites.inc(l, u.diskWrites);
    }
    const nics = rows.flatMap((r) => (JSON.parse(r.spec) as { nics?: { id: string }[] }).nics?.map((n) => ({ id: n.id, serverId: r.id })) ?? []);
    const counters = nics.length ? await d.engine.network.nicCounters(nics.map((n) => n.id)) : new Map();
    for (const n of nics) {
      const c = counters.get(n.id);
      if (!c) continue;
      // The engine has turned the host side's counters round already: `in` is what reached the server.
      m.nicReceive.inc({ ...labelsOf.get(n.serverId)!, nic_id: n.id }, c.inBytes);
      m.nicTransmit.inc({ ...labelsOf.get(n.serverId)!, nic_id: n.id }, c.outBytes);
    }
  }

  async function refreshHost() {
    const h = await readHost(d.dataDir);
    for (const [mode, s] of h.cpuSecondsByMode) m.hostCpu.inc({ mode }, s);
    m.hostCpus.set(h.cpuCount);
    m.hostLoad.set(h.load1);
    m.hostMemTotal.set(h.memoryTotalBytes);
    m.hostMemAvail.set(h.memoryAvailableBytes);
    m.hostFsSize.set({ path: h.filesystem.path }, h.filesystem.sizeBytes);
    m.hostFsAvail.set({ path: h.filesystem.path }, h.filesystem.availBytes);
    for (const disk of h.disks) {
      m.hostDiskRead.inc({ device: disk.device }, disk.readBytes);
      m.hostDiskWritten.inc({ device: disk.device }, disk.writtenBytes);
    }
    for (const n of h.network) {
      m.hostNetReceive.inc({ device: n.device }, n.receiveBytes);
      m.hostNetTransmit.inc({ device: n.device }, n.transmitBytes);
    }
  }

  let running: Promise<void> | null = null;
  return {
    /** Reads store, engine and host anew; scrapes at the same time share one reading. */
    refresh(): Promise<void> {
      running ??= (async () => {
        // A server or tenant that is gone must leave no series behind.
        for (const metric of Object.values(m)) metric.reset();
        await refreshStore(d.clock());
        await refreshServers();
        await refreshHost();
      })().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
