/**
 * Typed calls for uptime monitors, over a KumulusClient; a module of its own so the client's main
 * file does not grow with every domain.
 */
import type { KumulusClient } from './client.ts';
import type { ListQuery, Page } from './schemas.ts';
import type { CreateMonitor, Monitor, MonitorResult, UpdateMonitor } from './schemas/monitors.ts';

const at = (id: string) => encodeURIComponent(id);

/** The monitor calls of the API, bound to one client. */
export function monitorApi(c: KumulusClient) {
  return {
    list: (q: ListQuery = {}) => c.request<Page<Monitor>>('GET', '/monitors', undefined, q),
    get: (id: string) => c.request<Monitor>('GET', `/monitors/${at(id)}`),
    create: (body: CreateMonitor) => c.request<Monitor>('POST', '/monitors', body),
    update: (id: string, body: UpdateMonitor) => c.request<Monitor>('PATCH', `/monitors/${at(id)}`, body),
    delete: (id: string) => c.request<void>('DELETE', `/monitors/${at(id)}`),
    results: (id: string, q: ListQuery = {}) => c.request<Page<MonitorResult>>('GET', `/monitors/${at(id)}/results`, undefined, q),
  };
}

/** The monitor calls bound to a client. */
export type MonitorApi = ReturnType<typeof monitorApi>;
