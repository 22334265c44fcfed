import type { Engine } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Catalog } from './catalog.ts';

/** Prepares an image on the engine (build, cache) and records where that stands. */
export function createImageReconciler({ engine, catalog }: { engine: Engine; catalog: Catalog }): Reconciler {
  return async (name) => {
    if (await engine.images.isReady(name)) {
      await catalog.setImageStatus(name, 'ready');
      return { againMs: null };
    }
    await catalog.setImageStatus(name, 'preparing', 'building the image; the first build can take minutes');
    try {
      await engine.images.prepare(name);
    } catch (err) {
      await catalog.setImageStatus(name, 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
    await catalog.setImageStatus(name, 'ready');
    return { againMs: null };
  };
}
