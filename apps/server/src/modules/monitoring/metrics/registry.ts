/**
 * The control plane's own Prometheus instruments (prom-client): HTTP requests by route pattern,
 * reconcile passes by kind, and the process's default metrics, all prefixed `kumulus_`.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Reconciler } from '../../../reconcile/worker.ts';

/** Latency buckets in seconds, from a cached GET to a slow engine call inside a request. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Reconcile passes range from a no-op look to a container build of minutes. */
const RECONCILE_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];

/** Makes the registry and the instruments the control plane feeds as it works. */
export function createControlPlaneMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kumulus_' });
  // prom-client names three gauges `…_total`, which promtool rejects (only counters end so); event-loop lag,
  // heap and file descriptors tell the same story.
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) registry.removeSingleMetric(`kumulus_nodejs_${name}`);
  const httpRequests = new Counter({ name: 'kumulus_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
  const httpDuration = new Histogram({ name: 'kumulus_http_request_duration_seconds', help: 'Time from receiving an HTTP request to its answer, by method, route pattern and status code.', labelNames: ['method', 'route', 'status_code'], buckets: HTTP_BUCKETS, registers: [registry] });
  const reconcileDuration = new Histogram({ name: 'kumulus_reconcile_duration_seconds', help: 'Duration of reconcile passes, by queue kind and result.', labelNames: ['kind', 'result'], buckets: RECONCILE_BUCKETS, registers: [registry] });
  const reconcileErrors = new Counter({ name: 'kumulus_reconcile_errors_total', help: 'Reconcile passes that failed (and will be retried with backoff), by queue kind.', labelNames: ['kind'], registers: [registry] });

  return {
    registry,

    /** Times every request; the route is Fastify's pattern (`/api/v1/servers/:id`), never the raw URL, so ids make no new series. */
    instrument(app: FastifyInstance): void {
      app.addHook('onResponse', async (req, reply) => {
        const route = req.routeOptions.url ?? 'unmatched';
        // Static dashboard files would each make a series of their own.
        const labels = { method: req.method, route: route === '/*' ? 'static' : route, status_code: String(reply.statusCode) };
        httpRequests.inc(labels);
        httpDuration.observe(labels, reply.elapsedTime / 1000);
      });
    },

    /** The same reconcilers, each pass timed and its failures counted. */
    reconcilers(all: Record<string, Reconciler>): Record<string, Reconciler> {
      const out: Record<string, Reconciler> = {};
      for (const [kind, reconcile] of Object.entries(all)) {
        out[kind] = async (id, attempts) => {
          const end = reconcileDuration.startTimer({ kind });
          try {
            const result = await reconcile(id, attempts);
            end({ result: 'ok' });
            return result;
          } catch (err) {
            end({ result: 'error' });
            reconcileErrors.inc({ kind });
            throw err;
          }
        };
      }
      return out;
    },
  };
}

/** The control plane's instruments. */
export type ControlPlaneMetrics = ReturnType<typeof createControlPlaneMetrics>;
