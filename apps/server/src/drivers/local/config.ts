/**
 * Renders an instance's LXC config file from its spec: id map, overlay rootfs, limits, NICs.
 */
import { existsSync } from 'node:fs';
import type { InstanceSpec, NicSpec } from '../types.ts';
import { type CgroupVersion, cgroupConfigLines } from './cgroups.ts';
import type { ImageMeta } from './images.ts';
import { vethName } from './network.ts';
import type { IdMap } from './rootfs.ts';

/** What `renderConfig` needs besides the spec. */
export interface ConfigInput {
  spec: InstanceSpec;
  image: ImageMeta;
  /** The prepared image's rootfs: the overlay's read-only lower dir. */
  lowerDir: string;
  /** The instance's writable layer; LXC puts overlay's work dir beside it as `work`. */
  upperDir: string;
  idmap: IdMap;
  cgroup: CgroupVersion;
}

/** Config file text for one instance. */
export function renderConfig(c: ConfigInput): string {
  const { spec, image, idmap } = c;
  const lines = [
    `# Kumulus instance ${spec.id}; made by the local engine, rewritten only by it.`,
    ...image.includes.map((f) => `lxc.include = ${f}`),
    'lxc.arch = linux64',
    `lxc.uts.name = ${spec.hostname}`,
    `lxc.idmap = u 0 ${idmap.base} ${idmap.size}`,
    `lxc.idmap = g 0 ${idmap.base} ${idmap.size}`,
    // LXC mounts the overlay itself inside the container's mount namespace, so no host mount
    // of the merged tree exists to leak.
    `lxc.rootfs.path = overlay:${c.lowerDir}:${c.upperDir}`,
    ...postStopHooks(),
    ...(image.haltSignal ? [`lxc.signal.halt = ${image.haltSignal}`] : []),
    ...(image.rebootSignal ? [`lxc.signal.reboot = ${image.rebootSignal}`] : []),
    ...cgroupConfigLines(c.cgroup, spec.vcpus, spec.memoryMb),
    ...nicLines(spec.nics),
  ];
  return lines.join('\n') + '\n';
}

/**
 * Debian's lxcfs package adds a post-stop hook (via common.conf.d) that is a bare `sleep 0.5s`,
 * meant for lxcfs across reboots; it made every stop and destroy half a second slower. We clear
 * the hook list and keep the sleep for reboots only (LXC hooks run through `sh -c`).
 */
function postStopHooks(): string[] {
  if (!existsSync(LXCFS_REBOOT_HOOK)) return [];
  return ['lxc.hook.post-stop =', `lxc.hook.post-stop = [ "$LXC_TARGET" != reboot ] || ${LXCFS_REBOOT_HOOK}; true`];
}

const LXCFS_REBOOT_HOOK = '/usr/share/lxcfs/lxc.reboot.hook';

function nicLines(nics: NicSpec[]): string[] {
  // Without any lxc.net entry LXC would share the host's network namespace: never that.
  if (nics.length === 0) return ['lxc.net.0.type = empty'];
  let gatewaySet = false;
  return nics.flatMap((nic, i) => {
    const p = `lxc.net.${i}`;
    const lines = [
      `${p}.type = veth`,
      `${p}.link = ${nic.link}`,
      `${p}.flags = up`,
      `${p}.hwaddr = ${nic.mac}`,
      `${p}.name = eth${i}`,
      `${p}.veth.pair = ${vethName(nic.id)}`,
      // Without an explicit broadcast LXC 5 sets brd 0.0.0.255 on the address.
      `${p}.ipv4.address = ${nic.ipv4} ${broadcastOf(nic.ipv4)}`,
      // The vSwitch's RA would give the same address by SLAAC; set here it is there from the start.
      ...(nic.ipv6 ? [`${p}.ipv6.address = ${nic.ipv6}`] : []),
    ];
    // LXC has no rate setting: the engine applies these with tc after each start.
    if (nic.ingressMbit || nic.egressMbit) lines.push(`# kumulus.rate = ${vethName(nic.id)} ${nic.ingressMbit ?? 0} ${nic.egressMbit ?? 0}`);
    // Only one default route: the first NIC that names a gateway gets it.
    if (nic.gateway && !gatewaySet) {
      lines.push(`${p}.ipv4.gateway = ${nic.gateway}`);
      gatewaySet = true;
    }
    return lines;
  });
}

/** Host-side veth names recorded in a rendered config, so destroy can remove stray ones. */
export function vethNamesInConfig(text: string): string[] {
  return [...text.matchAll(/^(?:lxc\.net\.\d+\.veth\.pair|# kumulus\.unplug)\s*=\s*(\S+)/gm)].map((m) => m[1] ?? '').filter(Boolean);
}

/**
 * A config with its NIC lines replaced by `nics`. `unplug` names host veths that may still
 * exist while a hot-unplug is under way: kept as comments LXC ignores, so a pass cut short (or
 * destroy) still finds and removes them.
 */
export function withNics(text: string, nics: NicSpec[], unplug: string[] = []): string {
  const kept = text.split('\n').filter((l) => l !== '' && !/^lxc\.net\./.test(l) && !/^# kumulus\.(unplug|rate)/.test(l));
  return [...kept, ...nicLines(nics), ...unplug.map((v) => `# kumulus.unplug = ${v}`)].join('\n') + '\n';
}

/** A NIC as a rendered config records it: the bridge it plugs into, its MAC and its address. */
export interface ConfigNic {
  link: string;
  /** The host end of its veth. */
  veth?: string;
  mac: string;
  /** The address without its prefix length. */
  ipv4: string;
}

/** The NICs recorded in a rendered config, so start and destroy can tell the host's neighbour table. */
export function nicsInConfig(text: string): ConfigNic[] {
  const byIndex = new Map<string, Partial<ConfigNic>>();
  for (const m of text.matchAll(/^lxc\.net\.(\d+)\.(link|hwaddr|ipv4\.address|veth\.pair)\s*=\s*(\S+)/gm)) {
    const nic = byIndex.get(m[1] ?? '') ?? {};
    if (m[2] === 'link') nic.link = m[3];
    else if (m[2] === 'veth.pair') nic.veth = m[3];
    else if (m[2] === 'hwaddr') nic.mac = m[3];
    else nic.ipv4 = m[3]?.split('/')[0];
    byIndex.set(m[1] ?? '', nic);
  }
  return [...byIndex.values()].filter((n): n is ConfigNic => Boolean(n.link && n.mac && n.ipv4));
}

/** The rate limits a rendered config records, by host veth. */
export function ratesInConfig(text: string): { veth: string; ingressMbit: number; egressMbit: number }[] {
  return [...text.matchAll(/^# kumulus\.rate = (\S+) (\d+) (\d+)$/gm)].map((m) => ({ veth: m[1] ?? '', ingressMbit: Number(m[2]), egressMbit: Number(m[3]) }));
}

/** The broadcast address of an `a.b.c.d/len` address. */
export function broadcastOf(cidr: string): string {
  const [addr = '', lenText = '32'] = cidr.split('/');
  const octets = addr.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) throw new Error(`bad IPv4 address ${cidr}`);
  const len = Number(lenText);
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const host = len >= 32 ? 0 : 2 ** (32 - len) - 1;
  const bcast = ip - (ip % (host + 1)) + host;
  return [24, 16, 8, 0].map((s) => Math.floor(bcast / 2 ** s) % 256).join('.');
}
