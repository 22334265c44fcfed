/**
 * The image facet on Proxmox VE: our image names map to container templates (`vztmpl`) on a storage; an image
 * is ready when its template is there (`pveam download` puts it there; the operator is told the command).
 */
import { type ImageDriver, type ImageSource, PermanentEngineError } from '../types.ts';
import type { PveClient } from './client.ts';

/** Our images and the template file names that provide them (newest point release first by sort). */
export const PROXMOX_IMAGES: (ImageSource & { template: RegExp; pveam: string })[] = [
  { name: 'debian-12', os: 'Debian 12', template: /^debian-12-standard_[\d.-]+_amd64\.tar\.(zst|gz|xz)$/, pveam: 'debian-12-standard_12.7-1_amd64.tar.zst' },
];

/** Creates the image facet over one template storage (e.g. `local`). */
export function createProxmoxImages(client: PveClient, templateStorage: string): ImageDriver {
  const find = async (name: string): Promise<string | null> => {
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
    available: () => PROXMOX_IMAGES.map(({ name, os }) => ({ name, os })),
    async prepare(name) {
      const volid = await find(name);
      if (volid) return volid;
      const img = PROXMOX_IMAGES.find((i) => i.name === name)!;
      throw new PermanentEngineError(`the template for '${name}' is not on storage '${templateStorage}'; on a node run: pveam update && pveam download ${templateStorage} ${img.pveam}`);
    },
    async isReady(name) {
      return (await find(name)) !== null;
    },
  };
}
