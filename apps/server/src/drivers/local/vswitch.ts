/**
 * Tenant vSwitches on the local host: per network one Linux bridge with no host address (so
 * the host routes nothing into it and two tenants may use the same subnet), and one network
 * namespace plugged into it that holds the network's service address and runs dnsmasq for
 * DHCP reservations and names (`<hostname>.<domain>`). State lives under `netPath/<id>/`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VSwitchSpec } from '../types.ts';
import { pidAlive } from './lock.ts';
import { bridgeMac, deleteLink, linkExists, pinBridgeMac, vethName } from './network.ts';
import { run } from './exec.ts';

const ID = /^net_[0-9a-z]+$/;
const hash = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 12);

/** True when `link` is up and a port of `bridge` (sysfs, no process spawned). */
async function portOf(link: string, bridge: string): Promise<boolean> {
  const master = await readlink(`/sys/class/net/${link}/master`).catch(() => '');
  return master.endsWith(`/${bridge}`) && (await isUp(link));
}

/** True when the link's IFF_UP flag is set. */
async function isUp(link: string): Promise<boolean> {
  const flags = Number.parseInt((await readFile(`/sys/class/net/${link}/flags`, 'utf8').catch(() => '0')).trim(), 16);
  return (flags & 1) === 1;
}

/** Interface and namespace names of one vSwitch, all derived from its id (≤15 characters). */
export function vswitchNames(id: string) {
  if (!ID.test(id)) throw new Error(`not a network id: ${id}`);
  const h = hash(id);
  return { bridge: `kn${h}`, hostVeth: `kd${h}`, serviceVeth: `ks${h}`, netns: `kumulus-${id}` };
}

/** A locally administered MAC for the service end, so guests' caches survive its re-creation. */
function serviceMac(id: string): string {
  const h = createHash('sha256').update(`service:${id}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * dnsmasq's IPv6 lines: router advertisements of the /64 for SLAAC with stateless DHCPv6 for
 * the name server, and a router lifetime of 0, since the service namespace routes nowhere:
 * guests take addresses from it but never a default route. A short interval lets a new guest
 * hear an advertisement soon even if its solicitation went unanswered.
 */
function ipv6Lines(cidr: string, iface: string, domain: string): string[] {
  const [base = ''] = cidr.split('/');
  // The search domain too (option 24), so a guest configured by DHCPv6 alone resolves short names.
  return ['enable-ra', `dhcp-range=${base},ra-stateless,64,12h`, `ra-param=${iface},10,0`, `dhcp-option=option6:domain-search,${domain}`];
}

/** The vSwitch half of the local network facet, over a state directory of its own. */
export function createLocalVSwitches(netPath: string) {
  const dirOf = (id: string) => join(netPath, vswitchNames(id).netns.slice('kumulus-'.length));

  async function dnsmasqPid(dir: string): Promise<number | null> {
    const pid = Number((await readFile(join(dir, 'dnsmasq.pid'), 'utf8').catch(() => '')).trim());
    if (!pid || !pidAlive(pid)) return null;
    // A recycled pid belongs to someone else: only ours names our config file.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.includes(join(dir, 'dnsmasq.conf')) ? pid : null;
  }

  async function ensureNetns(spec: VSwitchSpec, prefix: number) {
    const n = vswitchNames(spec.id);
    if (!existsSync(`/run/netns/${n.netns}`)) await run('ip', ['netns', 'add', n.netns]);
    if (!(await linkExists(n.hostVeth))) {
      await run('ip', ['link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.serviceVeth, 'address', serviceMac(spec.id), 'netns', n.netns]);
    }
    if (!(await portOf(n.hostVeth, n.bridge))) await run('ip', ['link', 'set', 'dev', n.hostVeth, 'master', n.bridge, 'up']);
    const inside = [`addr replace ${spec.serviceAddress}/${prefix} dev ${n.serviceVeth}`, `link set dev ${n.serviceVeth} up`, 'link set dev lo up'];
    // nodad: dnsmasq binds to the address at once, and a tentative one cannot be bound.
    if (spec.ipv6) inside.push(`addr replace ${spec.ipv6.serviceAddress}/64 dev ${n.serviceVeth} nodad`);
    await run('ip', ['-n', n.netns, '-batch', '-'], { input: inside.map((l) => `${l}\n`).join('') });
  }

  async function ensureDnsmasq(spec: VSwitchSpec, dir: string, mask: string, base: string) {
    const n = vswitchNames(spec.id);
    const conf = [
      `# Kumulus network ${spec.id}; rewritten by the local engine.`,
      `interface=${n.serviceVeth}`,
      'bind-interfaces',
      // Names of this network only: nothing is forwarded, so no query leaves the namespace.
      'no-resolv',
      'no-hosts',
      `domain=${spec.domain}`,
      `local=/${spec.domain}/`,
      `addn-hosts=${join(dir, 'hosts')}`,
      // Static reservations only: every NIC has its address from IPAM.
      `dhcp-range=${base},static,${mask},12h`,
      `dhcp-hostsfile=${join(dir, 'dhcp-hosts')}`,
      `dhcp-leasefile=${join(dir, 'leases')}`,
      // Without a gateway, no default route through this network (dnsmasq would offer itself).
      ...(spec.gateway ? [] : ['dhcp-option=option:router']),
      ...(spec.ipv6 ? ipv6Lines(spec.ipv6.cidr, n.serviceVeth, spec.domain) : []),
      `pid-file=${join(dir, 'dnsmasq.pid')}`,
      '',
    ].join('\n');
    const hosts = spec.hosts.map((h) => [h.ipv4, ...(h.ipv6 ? [h.ipv6] : [])].map((a) => `${a} ${h.hostname}.${spec.domain} ${h.hostname}\n`).join('')).join('');
    const dhcp = spec.hosts.map((h) => `${h.mac},${h.ipv4},${h.hostname}\n`).join('');
    const confPath = join(dir, 'dnsmasq.conf');
    const confChanged = (await readFile(confPath, 'utf8').catch(() => '')) !== conf;
    const namesChanged = (await readFile(join(dir, 'hosts'), 'utf8').catch(() => null)) !== hosts || (await readFile(join(dir, 'dhcp-hosts'), 'utf8').catch(() => null)) !== dhcp;
    await writeFile(join(dir, 'hosts'), hosts, { mode: 0o644 });
    await writeFile(join(dir, 'dhcp-hosts'), dhcp, { mode: 0o644 });
    await writeFile(confPath, conf, { mode: 0o644 });
    let pid = await dnsmasqPid(dir);
    if (pid && confChanged) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      pid = null;
    }
    if (!pid) {
      // dnsmasq forks and its parent exits only once the child serves, or with the reason it cannot.
      await run('ip', ['netns', 'exec', n.netns, 'dnsmasq', `--conf-file=${confPath}`]);
    } else if (namesChanged) {
      process.kill(pid, 'SIGHUP'); // re-reads addn-hosts and dhcp-hostsfile
    }
  }

  /**
   * Puts the host side of every running instance's NIC back into the bridge: a bridge deleted
   * behind our back and made again would otherwise stay empty. Absent veths (stopped
   * instances) are skipped by -force; setting the master a port has already changes nothing.
   */
  async function replug(spec: VSwitchSpec, bridge: string) {
    const lines: string[] = [];
    for (const h of spec.hosts) {
      const veth = vethName(h.nicId);
      // Read from sysfs: a port already in place (the usual case, on every NIC change) costs no process.
      const master = await readlink(`/sys/class/net/${veth}/master`).catch(() => null);
      // An absent veth (a stopped instance) has no master link file either, but must be skipped.
      if (existsSync(`/sys/class/net/${veth}`) && !master?.endsWith(`/${bridge}`)) lines.push(`link set dev ${veth} master ${bridge}\n`);
    }
    if (lines.length) await run('ip', ['-force', '-batch', '-'], { input: lines.join(''), allowFail: true });
  }

  return {
    linkOf: (id: string) => vswitchNames(id).bridge,

    async ensureNetwork(spec: VSwitchSpec): Promise<string> {
      const n = vswitchNames(spec.id);
      const [baseText = '', lenText = ''] = spec.cidr.split('/');
      const prefix = Number(lenText);
      const mask = [24, 16, 8, 0].map((s) => Math.floor((2 ** 32 - 2 ** (32 - prefix)) / 2 ** s) % 256).join('.');
      // The state dir first: a crash after it leaves something listNetworks() finds and removes.
      const dir = dirOf(spec.id);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      if (!(await linkExists(n.bridge))) await run('ip', ['link', 'add', 'name', n.bridge, 'address', bridgeMac(n.bridge), 'type', 'bridge']);
      await pinBridgeMac(n.bridge);
      if (!(await isUp(n.bridge))) await run('ip', ['link', 'set', 'dev', n.bridge, 'up']);
      await ensureNetns(spec, prefix);
      await replug(spec, n.bridge);
      await ensureDnsmasq(spec, dir, mask, baseText);
      return n.bridge;
    },

    async removeNetwork(id: string): Promise<void> {
      const n = vswitchNames(id);
      const dir = dirOf(id);
      const pid = await dnsmasqPid(dir);
      if (pid) process.kill(pid, 'SIGKILL');
      if (existsSync(`/run/netns/${n.netns}`)) await run('ip', ['netns', 'del', n.netns]);
      await deleteLink(n.hostVeth);
      await deleteLink(n.bridge);
      await rm(dir, { recursive: true, force: true });
    },

    async listNetworks(): Promise<string[]> {
      return (await readdir(netPath).catch(() => [])).filter((e) => ID.test(e));
    },
  };
}
