/**
 * The image facet on Proxmox VE: our image names map to container templates (`vztmpl`) on a storage; an image
 * is ready when its template is there (`pveam download` puts it there; the operator is told the command).
 */
import { type ImageDriver, type ImageSource, PermanentEngineError } from '../types.ts';
import type { PveClient } from './client.ts';
import { VM_IMAGE_PREFIX } from './vms.ts';

/** Our images and the template file names that provide them (newest point release first by sort). */
export const PROXMOX_IMAGES: (ImageSource & { template: RegExp; pveam: string })[] = [
  { name: 'debian-12', os: 'Debian 12', template: /^debian-12-standard_[\d.-]+_amd64\.tar\.(zst|gz|xz)$/, pveam: 'debian-12-standard_12.7-1_amd64.tar.zst' },
];

/** Our VM images: each is a cloud-init VM template of that name (`qm template`) on the nodes that may run it. */
export const PROXMOX_VM_IMAGES: ImageSource[] = [{ name: 'debian-12-vm', os: 'Debian 12', kind: 'vm' }];

/** Whether a cloud-init VM template named `name` is on the cluster (any node). */
async function vmTemplateExists(client: PveClient, name: string): Promise<boolean> {
  const resources = await client.get<{ type: string; name?: string; template?: number }[]>('/cluster/resources', { type: 'vm' });
  return resources.some((r) => r.type === 'qemu' && r.template === 1 && r.name === name);
}

/** Creates the image facet over one template storage (e.g. `local`). */
export function createProxmoxImages(client: PveClient, templateStorage: string): ImageDriver {
  // A template found stays valid for a minute: every create asks whether its image is ready.
  const seen = new Map<string, { volid: string; at: number }>();
  const find = async (name: string): Promise<string | null> => {
    const hit = seen.get(name);
    if (hit && Date.now() - hit.at < 60_000) return hit.volid;
    const volid = await lookUp(name);
    if (volid) seen.set(name, { volid, at: Date.now() });
    return volid;
  };
  const lookUp = async (name: string): Promise<string | null> => {
    if (PROXMOX_VM_IMAGES.some((i) => i.name === name)) return (await vmTemplateExists(client, name)) ? `${VM_IMAGE_PREFIX}${name}` : null;
    const img = PROXMOX_IMAGES.find((i) => i.name === name);
    if (!img) throw new PermanentEngineError(`no image '${name}' on Proxmox; known: ${PROXMOX_IMAGES.map((i) => i.name).join(', ')}`);
    const nodes = await client.get<{ node: string; status: string }[]>('/nodes');
    const node = nodes.find((n) => n.status === 'online')?.node;
    if (!node) throw new Error('no node of the cluster is online');
    const content = await client.get<{ volid: string }[]>(`/nodes/${encodeURIComponent(node)}/storage/${encodeURIComponent(templateStorage)}/content`, { content: 'vztmpl' });
    const hits = content.map((c) => c.volid).filter((v) => img.template.test(v.split('/').pop() ?? '')).sort();
    return hits.at(-1) ?? null;
  };
  return {
    available: () => [...PROXMOX_IMAGES.map(({ name, os }) => ({ name, os })), ...PROXMOX_VM_IMAGES],
    async prepare(name) {
      const volid = await find(name);
      if (volid) return volid;
      if (PROXMOX_VM_IMAGES.some((i) => i.name === name)) {
        throw new PermanentEngineError(`no cloud-init VM template named '${name}' is on the cluster; make one on each node that should run it (see the README: qm create … --ide2 STORAGE:cloudinit, qm set --name ${name}, qm template)`);
      }
      const img = PROXMOX_IMAGES.find((i) => i.name === name)!;
      throw new PermanentEngineError(`the template for '${name}' is not on storage '${templateStorage}'; on a node run: pveam update && pveam download ${templateStorage} ${img.pveam}`);
    },
    async isReady(name) {
      return (await find(name)) !== null;
    },
  };
}
