/** Rules and peers as one line of text, the way the CLI writes them (`accept tcp/22 10.0.0.0/8`). */
import type { FirewallPeer, FirewallRule } from '@kumulus/api/firewall';

/** A peer as text: a CIDR, `server:…`, `network:…` or `label:…`. */
export function peerText(p: FirewallPeer): string {
  return 'cidr' in p ? p.cidr : 'server' in p ? `server:${p.server}` : 'network' in p ? `network:${p.network}` : `label:${p.labelSelector}`;
}

/** Reads a peer written as `peerText` writes it. */
export function parsePeer(text: string): FirewallPeer {
  if (text.startsWith('server:')) return { server: text.slice(7) };
  if (text.startsWith('network:')) return { network: text.slice(8) };
  if (text.startsWith('label:')) return { labelSelector: text.slice(6) };
  return { cidr: text };
}

/** A rule in one line. */
export function ruleText(r: FirewallRule): string {
  return [`${r.action}${r.log ? ' (log)' : ''}`, `${r.protocol}${r.ports ? `/${r.ports.join(',')}` : ''}`, r.peers?.map(peerText).join(' ') ?? ''].filter(Boolean).join(' ');
}
