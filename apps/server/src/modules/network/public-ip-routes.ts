import { AllocatePublicIp, AssignPublicIp, CreateIpPool, IpPool, LabelledListQuery, Page, PublicIp, UpdateIpPool, UpdatePublicIp } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { IpPools } from './ip-pools.ts';
import type { PublicIps } from './public-ips.ts';

/** IP pools (operators) and the tenants' public IPs. */
export function publicIpRoutes(pools: IpPools, ips: PublicIps): RouteDef[] {
  return [
    { method: 'GET', url: '/ip-pools', summary: 'List IP pools (operators)', tag: 'public-ips', query: LabelledListQuery, responses: { 200: Page(IpPool) }, handler: (req, _r, p) => pools.list(p, req.query as LabelledListQuery) },
    {
      method: 'POST',
      url: '/ip-pools',
      summary: 'Define a pool of public addresses on an uplink of the host (operators)',
      tag: 'public-ips',
      body: CreateIpPool,
      responses: { 201: IpPool },
      errors: ['FORBIDDEN', 'POOL_OVERLAP', 'NAME_TAKEN', 'POOL_MODE_UNSUPPORTED'],
      handler: async (req, reply, p) => reply.status(201).send(await pools.create(p, req.body as CreateIpPool, req.id)),
    },
    { method: 'GET', url: '/ip-pools/:id', summary: 'Show an IP pool (operators)', tag: 'public-ips', params: IdParam, responses: { 200: IpPool }, errors: ['FORBIDDEN', 'IP_POOL_NOT_FOUND'], handler: (req, _r, p) => pools.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/ip-pools/:id',
      summary: "Rename an IP pool or change its cool-down (operators)",
      tag: 'public-ips',
      params: IdParam,
      body: UpdateIpPool,
      responses: { 200: IpPool },
      errors: ['FORBIDDEN', 'IP_POOL_NOT_FOUND', 'NAME_TAKEN'],
      handler: (req, _r, p) => pools.update(p, idOf(req), req.body as UpdateIpPool, req.id),
    },
    {
      method: 'DELETE',
      url: '/ip-pools/:id',
      summary: 'Delete an IP pool none of whose addresses is handed out (operators)',
      tag: 'public-ips',
      params: IdParam,
      responses: { 204: null },
      errors: ['FORBIDDEN', 'IP_POOL_NOT_FOUND', 'POOL_IN_USE'],
      handler: async (req, reply, p) => {
        await pools.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    { method: 'GET', url: '/public-ips', summary: 'List your public IPs', tag: 'public-ips', query: LabelledListQuery, responses: { 200: Page(PublicIp) }, handler: (req, _r, p) => ips.list(p, req.query as LabelledListQuery) },
    {
      method: 'POST',
      url: '/public-ips',
      summary: 'Allocate a public IP from a pool (or any pool of the family)',
      tag: 'public-ips',
      body: AllocatePublicIp,
      responses: { 201: PublicIp },
      errors: ['IP_POOL_NOT_FOUND', 'NO_IP_POOL', 'NO_ADDRESS_LEFT', 'ADDRESS_TAKEN', 'NAME_TAKEN', 'SERVER_NOT_FOUND', 'NO_PUBLIC_NIC'],
      handler: async (req, reply, p) => reply.status(201).send(await ips.allocate(p, req.body as AllocatePublicIp, req.id)),
    },
    { method: 'GET', url: '/public-ips/:id', summary: 'Show a public IP', tag: 'public-ips', params: IdParam, responses: { 200: PublicIp }, errors: ['PUBLIC_IP_NOT_FOUND'], handler: (req, _r, p) => ips.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/public-ips/:id',
      summary: 'Change the name, labels or reverse DNS name of a public IP',
      tag: 'public-ips',
      params: IdParam,
      body: UpdatePublicIp,
      responses: { 200: PublicIp },
      errors: ['PUBLIC_IP_NOT_FOUND', 'NAME_TAKEN'],
      handler: (req, _r, p) => ips.update(p, idOf(req), req.body as UpdatePublicIp, req.id),
    },
    {
      method: 'POST',
      url: '/public-ips/:id/actions/assign',
      summary: "Assign a public IP to one of your servers (its NIC on the default network)",
      tag: 'public-ips',
      params: IdParam,
      body: AssignPublicIp,
      responses: { 200: PublicIp },
      errors: ['PUBLIC_IP_NOT_FOUND', 'SERVER_NOT_FOUND', 'NO_PUBLIC_NIC'],
      handler: (req, _r, p) => ips.assign(p, idOf(req), (req.body as AssignPublicIp).server, req.id),
    },
    {
      method: 'POST',
      url: '/public-ips/:id/actions/unassign',
      summary: 'Take a public IP off its server; you keep it',
      tag: 'public-ips',
      params: IdParam,
      responses: { 200: PublicIp },
      errors: ['PUBLIC_IP_NOT_FOUND'],
      handler: (req, _r, p) => ips.unassign(p, idOf(req), req.id),
    },
    {
      method: 'DELETE',
      url: '/public-ips/:id',
      summary: "Release a public IP to its pool (it rests for the pool's cool-down)",
      tag: 'public-ips',
      params: IdParam,
      responses: { 204: null },
      errors: ['PUBLIC_IP_NOT_FOUND', 'PUBLIC_IP_ASSIGNED'],
      handler: async (req, reply, p) => {
        await ips.release(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
  ];
}
