import { CreateFirewall, CreateZone, Firewall, FirewallTargets, LabelledListQuery, ListQuery, Page, UpdateFirewall, UpdateZone, Zone } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Firewalls } from './firewalls.ts';
import type { Zones } from './zones.ts';

const TARGET_ERRORS = ['FIREWALL_NOT_FOUND', 'SERVER_NOT_FOUND', 'NOT_FOUND', 'LABEL_SELECTOR_INVALID'] as const;
const RULE_ERRORS = ['SERVER_NOT_FOUND', 'NETWORK_NOT_FOUND', 'LABEL_SELECTOR_INVALID'] as const;

/** Firewalls (CRUD and apply-to / remove-from) and the operators' zones. */
export function firewallRoutes(firewalls: Firewalls, zones: Zones): RouteDef[] {
  return [
    { method: 'GET', url: '/zones', summary: 'List the zones and their allowed flows (operators)', tag: 'zones', query: ListQuery, errors: ['FORBIDDEN'], responses: { 200: Page(Zone) }, handler: (req, _r, p) => zones.list(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/zones',
      summary: 'Create a zone with its networks and the flows it may start (operators)',
      tag: 'zones',
      body: CreateZone,
      errors: ['FORBIDDEN', 'NAME_TAKEN', 'NETWORK_NOT_FOUND', 'NETWORK_IN_ZONE', 'ZONE_NOT_FOUND'],
      responses: { 201: Zone },
      handler: async (req, reply, p) => reply.status(201).send(await zones.create(p, req.body as CreateZone, req.id)),
    },
    { method: 'GET', url: '/zones/:id', summary: 'Show a zone (operators)', tag: 'zones', params: IdParam, errors: ['FORBIDDEN', 'ZONE_NOT_FOUND'], responses: { 200: Zone }, handler: (req, _r, p) => zones.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/zones/:id',
      summary: "Change a zone's name, purpose, networks or flows (operators)",
      tag: 'zones',
      params: IdParam,
      body: UpdateZone,
      errors: ['FORBIDDEN', 'ZONE_NOT_FOUND', 'NAME_TAKEN', 'NETWORK_NOT_FOUND', 'NETWORK_IN_ZONE'],
      responses: { 200: Zone },
      handler: (req, _r, p) => zones.update(p, idOf(req), req.body as UpdateZone, req.id),
    },
    {
      method: 'DELETE',
      url: '/zones/:id',
      summary: 'Delete a zone (operators); its networks are in no zone any more',
      tag: 'zones',
      params: IdParam,
      errors: ['FORBIDDEN', 'ZONE_NOT_FOUND'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await zones.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    { method: 'GET', url: '/firewalls', summary: 'List your firewalls', tag: 'firewalls', query: LabelledListQuery, responses: { 200: Page(Firewall) }, handler: (req, _r, p) => firewalls.list(p, req.query as LabelledListQuery) },
    {
      method: 'POST',
      url: '/firewalls',
      summary: 'Create a firewall (rules, and optionally what it applies to)',
      tag: 'firewalls',
      body: CreateFirewall,
      errors: ['NAME_TAKEN', ...RULE_ERRORS, 'NOT_FOUND'],
      responses: { 201: Firewall },
      handler: async (req, reply, p) => reply.status(201).send(await firewalls.create(p, req.body as CreateFirewall, req.id)),
    },
    { method: 'GET', url: '/firewalls/:id', summary: 'Show a firewall (by id or name)', tag: 'firewalls', params: IdParam, errors: ['FIREWALL_NOT_FOUND'], responses: { 200: Firewall }, handler: (req, _r, p) => firewalls.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/firewalls/:id',
      summary: 'Rename a firewall or replace its inbound or outbound rules',
      tag: 'firewalls',
      params: IdParam,
      body: UpdateFirewall,
      errors: ['FIREWALL_NOT_FOUND', 'NAME_TAKEN', ...RULE_ERRORS],
      responses: { 200: Firewall },
      handler: (req, _r, p) => firewalls.update(p, idOf(req), req.body as UpdateFirewall, req.id),
    },
    {
      method: 'POST',
      url: '/firewalls/:id/actions/apply-to',
      summary: 'Apply a firewall to servers, NICs or every server matching a label selector',
      tag: 'firewalls',
      params: IdParam,
      body: FirewallTargets,
      errors: [...TARGET_ERRORS],
      responses: { 200: Firewall },
      handler: (req, _r, p) => firewalls.applyTo(p, idOf(req), (req.body as FirewallTargets).applyTo, req.id),
    },
    {
      method: 'POST',
      url: '/firewalls/:id/actions/remove-from',
      summary: 'Remove a firewall from servers, NICs or a label selector',
      tag: 'firewalls',
      params: IdParam,
      body: FirewallTargets,
      errors: [...TARGET_ERRORS],
      responses: { 200: Firewall },
      handler: (req, _r, p) => firewalls.removeFrom(p, idOf(req), (req.body as FirewallTargets).applyTo, req.id),
    },
    {
      method: 'DELETE',
      url: '/firewalls/:id',
      summary: 'Delete a firewall that is applied to nothing',
      tag: 'firewalls',
      params: IdParam,
      errors: ['FIREWALL_NOT_FOUND', 'FIREWALL_IN_USE'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await firewalls.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
  ];
}
