import { computeConformance } from '../../../test/conformance/compute.ts';
import { makeProxmoxTestEngine } from './test-harness.ts';

// The shared engine suite against the Proxmox driver and the schema-checking emulator (two nodes, tasks of 20 ms).
computeConformance('proxmox (emulator)', async () => {
  const t = await makeProxmoxTestEngine({ taskMs: 20 });
  return { engine: t.engine, cleanup: t.cleanup, killBehindBack: t.killBehindBack, image: 'debian-12', net: { cidr: '10.250.0.0/24', gateway: '10.250.0.1' } };
});

// The same suite for virtual machines: full clones of the cluster's cloud-init template.
computeConformance('proxmox VMs (emulator)', async () => {
  const t = await makeProxmoxTestEngine({ taskMs: 20 });
  return { engine: t.engine, cleanup: t.cleanup, killBehindBack: t.killBehindBack, image: 'debian-12-vm', kind: 'vm', net: { cidr: '10.249.0.0/24', gateway: '10.249.0.1' } };
});
