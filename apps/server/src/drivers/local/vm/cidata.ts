/**
 * The cloud-init NoCloud seed of a VM: an ISO labelled `cidata` with meta-data, user-data and
 * network-config. JSON is valid YAML, so the files are written with JSON.stringify and no YAML
 * library; cloud-init reads them with its YAML parser.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceSpec, NicSpec } from '../../types.ts';
import { run } from '../exec.ts';

/** What the seed says: the parts of the instance spec a guest configures itself from. */
export interface SeedInput {
  /** Changes when the guest must run its first-boot modules again (a rebuild). */
  instanceId: string;
  hostname: string;
  sshKeys: string[];
  rootPasswordHash?: string;
  nics: NicSpec[];
  /** The guest's /etc/resolv.conf, as containers get it (host resolvers behind the vSwitches'). */
  resolvConf: string;
}

/** The seed's input from an instance spec. */
export function seedInputOf(spec: InstanceSpec, instanceId: string, resolvConf: string): SeedInput {
  return {
    instanceId,
    hostname: spec.hostname,
    sshKeys: spec.sshKeys,
    ...(spec.rootPasswordHash ? { rootPasswordHash: spec.rootPasswordHash } : {}),
    nics: spec.nics,
    resolvConf,
  };
}

/** network-config version 2: every NIC by its MAC, named eth<i> as in containers, with IPAM's address. */
export function networkConfig(nics: NicSpec[]): object {
  let gatewaySet = false;
  const ethernets: Record<string, object> = {};
  for (const [i, nic] of nics.entries()) {
    // Only one default route: the first NIC that names a gateway gets it (as in containers).
    const routes = nic.gateway && !gatewaySet ? [{ to: '0.0.0.0/0', via: nic.gateway }] : [];
    if (routes.length) gatewaySet = true;
    ethernets[`eth${i}`] = { match: { macaddress: nic.mac.toLowerCase() }, 'set-name': `eth${i}`, addresses: [nic.ipv4], ...(routes.length ? { routes } : {}) };
  }
  return { version: 2, ethernets };
}

/** user-data: root gets the keys (no default user), the password hash if any, and resolv.conf. */
export function userData(s: SeedInput): string {
  const cfg = {
    hostname: s.hostname,
    preserve_hostname: false,
    users: [],
    disable_root: false,
    ssh_authorized_keys: s.sshKeys,
    ssh_pwauth: Boolean(s.rootPasswordHash),
    // As in the container image: no RSA host key, whose making took most of a first boot
    // (minutes under software emulation).
    ssh_genkeytypes: ['ed25519', 'ecdsa'],
    ...(s.rootPasswordHash ? { chpasswd: { expire: false, users: [{ name: 'root', password: s.rootPasswordHash, type: 'hash' }] } } : {}),
    write_files: [{ path: '/etc/resolv.conf', content: s.resolvConf, permissions: '0644' }],
    // A changed NIC set (written to the seed while stopped) is applied at the next boot.
    updates: { network: { when: ['boot'] } },
  };
  return `#cloud-config\n${JSON.stringify(cfg, null, 1)}\n`;
}

/** Writes the seed ISO to `iso` (built beside it and renamed, so a VM never sees half of one). */
export async function writeSeed(iso: string, s: SeedInput): Promise<void> {
  const dir = `${iso}.d`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'meta-data'), JSON.stringify({ 'instance-id': s.instanceId, 'local-hostname': s.hostname }) + '\n');
  await writeFile(join(dir, 'user-data'), userData(s));
  await writeFile(join(dir, 'network-config'), JSON.stringify(networkConfig(s.nics), null, 1) + '\n');
  const tmp = `${iso}.tmp`;
  await run('genisoimage', ['-quiet', '-output', tmp, '-volid', 'cidata', '-joliet', '-rock', join(dir, 'user-data'), join(dir, 'meta-data'), join(dir, 'network-config')]);
  await rename(tmp, iso);
  await rm(dir, { recursive: true, force: true });
}
