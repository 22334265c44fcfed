/**
 * Placement over a cluster's nodes: online nodes whose role allows compute, the one with the most free memory
 * first (then the most free cores), so instances spread by what is left rather than by count.
 */
import { PermanentEngineError } from '../types.ts';
import type { PveClient } from './client.ts';

/** What a node is for; a node marked `storage` or `edge` gets no instances. */
export type NodeRole = 'compute' | 'storage' | 'edge';

interface NodeEntry {
  node: string;
  status: string;
  maxmem?: number;
  mem?: number;
  maxcpu?: number;
  cpu?: number;
}

/** The node a new instance of `memoryMb` goes to (among `only`, when given); throws when no online compute node has room. */
export async function placeInstance(client: PveClient, memoryMb: number, roles: Record<string, NodeRole> = {}, only?: string[]): Promise<string> {
  const nodes = (await client.get<NodeEntry[]>('/nodes')).filter((n) => !only || only.includes(n.node));
  const fit = nodes
    .filter((n) => n.status === 'online' && (roles[n.node] ?? 'compute') === 'compute')
    .map((n) => ({ node: n.node, freeMem: (n.maxmem ?? 0) - (n.mem ?? 0), freeCpu: (n.maxcpu ?? 0) * (1 - (n.cpu ?? 0)) }))
    .filter((n) => n.freeMem >= memoryMb * 2 ** 20)
    .sort((a, b) => b.freeMem - a.freeMem || b.freeCpu - a.freeCpu || a.node.localeCompare(b.node));
  const best = fit[0];
  if (!best) {
    const online = nodes.filter((n) => n.status === 'online').map((n) => `${n.node} (${roles[n.node] ?? 'compute'})`);
    throw new PermanentEngineError(`no online compute node${only ? ' with the template' : ''} has ${memoryMb} MiB free; online nodes: ${online.join(', ') || 'none'}`);
  }
  return best.node;
}
