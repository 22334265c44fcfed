import type { Engine } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import { blocking, type HostHealth } from '../cluster/health.ts';
import type { Catalog } from './catalog.ts';

/** How often an image the host cannot run is looked at again (the operator may fix the host). */
const BLOCKED_RECHECK_MS = 60_000;

/**
 * Prepares an image on the engine (build, cache) and records where that stands. An image whose
 * servers this host cannot start is never called ready, however complete its files are.
 */
export function createImageReconciler({ engine, catalog, health }: { engine: Engine; catalog: Catalog; health: Pick<HostHealth, 'current'> }): Reconciler {
  return async (name) => {
    if (blocking(health.current().problems, name).length) {
      await catalog.setImageStatus(name, 'unavailable', 'this host cannot start servers from this image yet; the operator has been told what is missing');
      return { againMs: BLOCKED_RECHECK_MS };
    }
    if (await engine.images.isReady(name)) {
      await catalog.setImageStatus(name, 'ready');
      return { againMs: null };
    }
    await catalog.setImageStatus(name, 'preparing', 'building the image; the first build can take minutes');
    try {
      await engine.images.prepare(name);
    } catch (err) {
      // The tool output is for the operator's log (the worker logs the error); tenants see the image list.
      await catalog.setImageStatus(name, 'failed', 'the image could not be prepared; the operator can see why in the log');
      throw err;
    }
    await catalog.setImageStatus(name, 'ready');
    return { againMs: null };
  };
}
