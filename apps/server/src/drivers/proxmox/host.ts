/**
 * The host facet on Proxmox VE, which is also the connection check of a registration: the endpoint answers,
 * the token is accepted, and the token holds every privilege Kumulus needs (missing ones listed by name).
 */
import type { HostProblem } from '../types.ts';
import { PveApiError, type PveClient, PveUnreachableError } from './client.ts';

/** The privileges Kumulus uses on `/` (guests, VM clones and cloud-init, disks, networks and snapshots, storages, nodes' status). */
export const REQUIRED_PRIVILEGES = [
  'VM.Allocate', 'VM.Audit', 'VM.PowerMgmt', 'VM.Clone', 'VM.Config.Cloudinit', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Disk', 'VM.Config.Network',
  'VM.Config.Options', 'VM.Snapshot', 'VM.Snapshot.Rollback', 'Datastore.AllocateSpace', 'Datastore.Audit', 'Sys.Audit', 'SDN.Use',
];

/** Checks the endpoint; empty when Kumulus can work with it. */
export async function checkConnection(client: PveClient, url: string): Promise<HostProblem[]> {
  try {
    await client.get('/version');
  } catch (err) {
    if (err instanceof PveUnreachableError) return [{ check: 'proxmox-reachable', subject: url, message: err.message, fix: 'Check the URL (https://NODE:8006), the firewall, and the certificate fingerprint or CA.' }];
    if (err instanceof PveApiError && err.status === 401) return [{ check: 'proxmox-token', subject: url, message: 'the cluster refused the API token (401 Authentication failed!)', fix: 'Check the token id (user@realm!tokenid) and its secret under Datacenter → Permissions → API Tokens.' }];
    throw err;
  }
  const perms = await client.get<Record<string, Record<string, number>>>('/access/permissions', { path: '/' });
  const held = new Set(Object.keys(perms['/'] ?? {}));
  const missing = REQUIRED_PRIVILEGES.filter((p) => !held.has(p));
  if (missing.length === 0) return [];
  return [{ check: 'proxmox-privileges', subject: missing.join(', '), message: `the API token lacks these privileges on /: ${missing.join(', ')}`, fix: 'Grant them on / to the token (or give the token a role that has them, with privilege separation in mind).', images: [] }];
}
