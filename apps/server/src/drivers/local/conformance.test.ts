import { computeConformance } from '../../../test/conformance/compute.ts';
import { makeLocalTestEngine } from './test-harness.ts';

// The shared engine suite against real unprivileged LXC, in a sandbox of its own.
computeConformance('local (LXC)', async () => {
  const t = await makeLocalTestEngine();
  return { engine: t.engine, cleanup: t.cleanup, killBehindBack: t.killBehindBack, net: t.net, image: 'tiny' };
});
