/**
 * Typed calls for IP pools and public IPs, over a KumulusClient; a module of its own so the
 * client's main file does not grow with every domain.
 */
import type { KumulusClient } from './client.ts';
import type { LabelledListQuery, Page } from './schemas.ts';
import type { AllocatePublicIp, CreateIpPool, IpPool, PublicIp, UpdateIpPool, UpdatePublicIp } from './schemas/network-public.ts';

const at = (id: string) => encodeURIComponent(id);

/** The public-IP calls of the API, bound to one client. */
export function publicIpApi(c: KumulusClient) {
  return {
    listPools: (q: LabelledListQuery = {}) => c.request<Page<IpPool>>('GET', '/ip-pools', undefined, q),
    getPool: (id: string) => c.request<IpPool>('GET', `/ip-pools/${at(id)}`),
    createPool: (body: CreateIpPool) => c.request<IpPool>('POST', '/ip-pools', body),
    updatePool: (id: string, body: UpdateIpPool) => c.request<IpPool>('PATCH', `/ip-pools/${at(id)}`, body),
    deletePool: (id: string) => c.request<void>('DELETE', `/ip-pools/${at(id)}`),
    list: (q: LabelledListQuery = {}) => c.request<Page<PublicIp>>('GET', '/public-ips', undefined, q),
    get: (id: string) => c.request<PublicIp>('GET', `/public-ips/${at(id)}`),
    allocate: (body: AllocatePublicIp) => c.request<PublicIp>('POST', '/public-ips', body),
    update: (id: string, body: UpdatePublicIp) => c.request<PublicIp>('PATCH', `/public-ips/${at(id)}`, body),
    assign: (id: string, server: string) => c.request<PublicIp>('POST', `/public-ips/${at(id)}/actions/assign`, { server }),
    unassign: (id: string) => c.request<PublicIp>('POST', `/public-ips/${at(id)}/actions/unassign`, {}),
    release: (id: string) => c.request<void>('DELETE', `/public-ips/${at(id)}`),
  };
}

/** The public-IP calls bound to a client. */
export type PublicIpApi = ReturnType<typeof publicIpApi>;
