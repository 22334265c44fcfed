import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DomainError } from '../../lib/errors.ts';
import type { Database } from '../../store/schema.ts';

/** An IPv4 network with its gateway, e.g. `{ cidr: '10.77.0.0/16', gateway: '10.77.0.1' }`. */
export interface Ipv4Network {
  name: string;
  cidr: string;
  gateway: string;
}

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toAddr = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Parses `a.b.c.d/len` into its first address and length; throws on anything else. */
export function parseCidr(cidr: string): { base: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 30 || Number(m[5]) < 8) {
    throw new Error(`${cidr} is not an IPv4 network between /8 and /30`);
  }
  const prefix = Number(m[5]);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(toInt(m.slice(1, 5).join('.')) / size) * size, prefix };
}

/** A locally administered unicast MAC derived from the NIC id, so a re-created NIC keeps it. */
export function macFor(nicId: string): string {
  const h = createHash('sha256').update(nicId).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * Takes the lowest free address of the network for a NIC, inside the caller's transaction.
 * The (network, address) primary key makes two concurrent takers collide instead of share.
 */
export async function allocateAddress(trx: Kysely<Database>, net: Ipv4Network, serverId: string, nicId: string): Promise<string> {
  const { base, prefix } = parseCidr(net.cidr);
  const size = 2 ** (32 - prefix);
  const taken = new Set(
    (await trx.selectFrom('ip_allocations').select('address').where('network', '=', net.name).execute()).map((r) => r.address),
  );
  taken.add(net.gateway);
  // Skip the network and broadcast addresses.
  for (let n = base + 1; n < base + size - 1; n++) {
    const addr = toAddr(n);
    if (taken.has(addr)) continue;
    await trx.insertInto('ip_allocations').values({ network: net.name, address: addr, server_id: serverId, nic_id: nicId }).execute();
    return `${addr}/${prefix}`;
  }
  throw new DomainError('NO_ADDRESS_LEFT', { network: net.name });
}

/** Gives back every address a server holds. */
export async function releaseAddresses(trx: Kysely<Database>, serverId: string): Promise<void> {
  await trx.deleteFrom('ip_allocations').where('server_id', '=', serverId).execute();
}
