import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DomainError } from '../../lib/errors.ts';
import type { Database } from '../../store/schema.ts';
import { hostOf, intToIpv4 } from './cidr.ts';

/** An IPv4 network with its gateway, e.g. `{ cidr: '10.77.0.0/16', gateway: '10.77.0.1' }`. */
export interface Ipv4Network {
  name: string;
  cidr: string;
  gateway: string;
}

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toAddr = intToIpv4;

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

/**
 * A locally administered unicast MAC derived from the network and the address, so the MAC
 * stays with the address: whoever cached it (the host, other guests) still holds the right
 * entry when the address moves to a new server, instead of sending to a MAC that is gone.
 */
export function macFor(network: string, ipv4: string): string {
  const address = ipv4.split('/')[0];
  const h = createHash('sha256').update(`${network}/${address}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** How IPAM chooses: the time now and how long a released address rests before reuse. */
export interface AllocateOptions {
  now: number;
  /** A released address is handed out again only this long after its release. */
  cooldownMs: number;
}

/**
 * Takes an address of the network for a NIC, inside the caller's transaction: the lowest one
 * never handed out, else the one released longest ago whose cool-down is over. Reusing an
 * address at once would meet neighbour caches that still hold the previous server.
 * A cursor per network marks where never-used addresses begin (every address below it is held
 * or resting), so a take costs a few indexed lookups instead of reading every allocation.
 * The (network, address) primary key makes two concurrent takers collide instead of share.
 */
export async function allocateAddress(
  trx: Kysely<Database>,
  net: Ipv4Network,
  serverId: string,
  nicId: string,
  opts: AllocateOptions,
): Promise<string> {
  const { base, prefix } = parseCidr(net.cidr);
  const last = base + 2 ** (32 - prefix) - 2; // the broadcast address is never a host
  const cursor = await trx.selectFrom('ip_cursors').select('next_fresh').where('network', '=', net.name).executeTakeFirst();
  const moveCursor = (next: number) =>
    trx
      .insertInto('ip_cursors')
      .values({ network: net.name, next_fresh: next })
      .onConflict((oc) => oc.column('network').doUpdateSet({ next_fresh: next }))
      .execute();
  const insert = (addr: string) => trx.insertInto('ip_allocations').values({ network: net.name, address: addr, server_id: serverId, nic_id: nicId }).execute();
  let n = Math.max(cursor?.next_fresh ?? 0, base + 1);
  for (; n <= last; n++) {
    const addr = toAddr(n);
    // Chosen addresses and rows older than the cursor may sit above it: skip what is taken.
    if (addr === net.gateway || (await isUsed(trx, net.name, addr))) continue;
    await insert(addr);
    await moveCursor(n + 1);
    return `${addr}/${prefix}`;
  }
  if (cursor?.next_fresh !== n) await moveCursor(n);
  const oldest = await trx.selectFrom('ip_releases').select(['address', 'released_at']).where('network', '=', net.name).orderBy('released_at').orderBy('address').limit(1).executeTakeFirst();
  if (oldest && oldest.released_at + opts.cooldownMs <= opts.now) {
    await trx.deleteFrom('ip_releases').where('network', '=', net.name).where('address', '=', oldest.address).execute();
    await insert(oldest.address);
    return `${oldest.address}/${prefix}`;
  }
  const err = new DomainError('NO_ADDRESS_LEFT', { network: net.name });
  // Addresses resting after a release become free again: say when the first one does.
  if (oldest) err.retryAfter = Math.max(1, Math.ceil((oldest.released_at + opts.cooldownMs - opts.now) / 1000));
  throw err;
}

/** True when the address is held or resting after a release. */
async function isUsed(trx: Kysely<Database>, network: string, address: string): Promise<boolean> {
  const held = await trx.selectFrom('ip_allocations').select('address').where('network', '=', network).where('address', '=', address).executeTakeFirst();
  if (held) return true;
  return (await trx.selectFrom('ip_releases').select('address').where('network', '=', network).where('address', '=', address).executeTakeFirst()) !== undefined;
}

/** Gives back every address a server holds; each rests for the cool-down before reuse. */
export async function releaseAddresses(trx: Kysely<Database>, serverId: string, now: number): Promise<void> {
  const rows = await trx.selectFrom('ip_allocations').select(['network', 'address']).where('server_id', '=', serverId).execute();
  await trx.deleteFrom('ip_allocations').where('server_id', '=', serverId).execute();
  for (const r of rows) {
    await trx
      .insertInto('ip_releases')
      .values({ network: r.network, address: r.address, released_at: now })
      .onConflict((oc) => oc.columns(['network', 'address']).doUpdateSet({ released_at: now }))
      .execute();
  }
}

/**
 * Takes the address the caller chose for a NIC, inside the caller's transaction: it must be a
 * host of the network, not the network's own address and not held. A chosen address is given
 * even while it cools down after a release: whoever asks for it knows what it was.
 */
export async function allocateChosenAddress(trx: Kysely<Database>, net: Ipv4Network, address: string, serverId: string, nicId: string, field: string): Promise<string> {
  const { base, prefix } = parseCidr(net.cidr);
  if (hostOf({ base, prefix, size: 2 ** (32 - prefix) }, address) === null) {
    throw new DomainError('VALIDATION_FAILED', { summary: `${address} is not a host address of ${net.cidr}` }, [{ field, message: `choose an address inside ${net.cidr}` }]);
  }
  const held = await trx.selectFrom('ip_allocations').select('server_id').where('network', '=', net.name).where('address', '=', address).executeTakeFirst();
  if (held || address === net.gateway) {
    throw new DomainError('ADDRESS_TAKEN', { address, network: net.cidr }, [{ field, message: 'this address is in use; leave ipv4 out to get a free one' }]);
  }
  await trx.deleteFrom('ip_releases').where('network', '=', net.name).where('address', '=', address).execute();
  await trx.insertInto('ip_allocations').values({ network: net.name, address, server_id: serverId, nic_id: nicId }).execute();
  return `${address}/${prefix}`;
}

