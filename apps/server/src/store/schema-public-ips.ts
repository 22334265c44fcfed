/** Table types of public IPs (migration 009), kept apart from schema.ts so that file stays small. */

/** A pool of public addresses on an uplink of the host; `range` is canonical text (public-ranges.ts). */
export interface IpPoolsTable {
  id: string;
  name: string;
  family: 'ipv4' | 'ipv6';
  range: string;
  uplink: string;
  mode: 'routed' | 'bridged';
  cooldown_s: number;
  /** JSON object of labels. */
  labels: string;
  created_at: number;
  updated_at: number;
}

/** A public address a tenant holds: ordinal `ordinal` of its pool, assigned to `server_id` or none. */
export interface PublicIpsTable {
  id: string;
  tenant_id: string;
  name: string;
  labels: string;
  family: 'ipv4' | 'ipv6';
  pool_id: string;
  ordinal: number;
  address: string;
  server_id: string | null;
  reverse_dns: string | null;
  created_at: number;
  updated_at: number;
}

/** When a public address was given back; it rests for its pool's cool-down. */
export interface PublicIpReleasesTable {
  pool_id: string;
  ordinal: number;
  released_at: number;
}
