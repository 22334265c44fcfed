/**
 * Reads the packets nftables logs to an nflog group: `tcpdump -i nflog:N -w -` (Node cannot open
 * a netlink socket) writes them as a pcap stream of DLT_NFLOG records, parsed here — the log
 * prefix, the interfaces (as ifindex, named from /sys/class/net) and the packet's IP header.
 * tcpdump is started again when it exits, after a pause, until stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { LoggedPacket } from '../types.ts';

const LINKTYPE_NFLOG = 239;
// NFULA_* attribute types (linux/netfilter/nfnetlink_log.h).
const ATTR = { indev: 4, outdev: 5, physindev: 6, physoutdev: 7, payload: 9, prefix: 10 } as const;

/** The names of the host's interfaces by ifindex, read again when an index is not known. */
function ifNames(): (index: number) => string | undefined {
  let names = new Map<number, string>();
  let readAt = 0;
  const read = () => {
    readAt = Date.now();
    names = new Map();
    for (const name of readdirSync('/sys/class/net')) {
      try {
        names.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8')), name);
      } catch {
        // Gone between listing and reading: it cannot be the one asked for.
      }
    }
  };
  return (index) => {
    if (!names.has(index) && Date.now() - readAt > 1000) read();
    return names.get(index);
  };
}

/** Parses one NFLOG record (the pcap packet data); null when it holds no IP packet. */
export function parseNflog(data: Buffer, at: Date, nameOf: (index: number) => string | undefined): LoggedPacket | null {
  // nfgenmsg: family, version, resource id (the group); then TLVs with host-order length and type.
  let off = 4;
  const attrs = new Map<number, Buffer>();
  while (off + 4 <= data.length) {
    const len = data.readUInt16LE(off);
    const type = data.readUInt16LE(off + 2) & 0x7fff;
    if (len < 4 || off + len > data.length) break;
    attrs.set(type, data.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  const ip = attrs.get(ATTR.payload);
  if (!ip || ip.length < 20) return null;
  const prefix = attrs.get(ATTR.prefix)?.toString('latin1').replace(/\0.*$/s, '') ?? '';
  const dev = (type: number) => {
    const v = attrs.get(type);
    return v && v.length >= 4 ? nameOf(v.readUInt32BE(0)) : undefined;
  };
  const version = ip[0]! >> 4;
  let protocol: number;
  let source: string;
  let destination: string;
  let l4: number;
  if (version === 4) {
    protocol = ip[9]!;
    source = [...ip.subarray(12, 16)].join('.');
    destination = [...ip.subarray(16, 20)].join('.');
    l4 = (ip[0]! & 0x0f) * 4;
  } else if (version === 6 && ip.length >= 40) {
    protocol = ip[6]!;
    source = ipv6Text(ip.subarray(8, 24));
    destination = ipv6Text(ip.subarray(24, 40));
    l4 = 40;
  } else return null;
  const out: LoggedPacket = { at, prefix, protocol, source, destination };
  if ((protocol === 6 || protocol === 17) && ip.length >= l4 + 4) {
    out.sourcePort = ip.readUInt16BE(l4);
    out.destinationPort = ip.readUInt16BE(l4 + 2);
  }
  for (const [key, type] of [['inIf', ATTR.indev], ['outIf', ATTR.outdev], ['physIn', ATTR.physindev], ['physOut', ATTR.physoutdev]] as const) {
    const name = dev(type);
    if (name) out[key] = name;
  }
  return out;
}

function ipv6Text(b: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16));
  // The longest run of zero groups becomes "::", as the kernel and ip(8) print it.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Splits a pcap stream into records; answers a function to feed it chunks. */
function pcapReader(onRecord: (data: Buffer, at: Date) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  let le: boolean | null = null;
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (le === null) {
      if (buf.length < 24) return;
      le = buf.readUInt32LE(0) === 0xa1b2c3d4;
      const link = le ? buf.readUInt32LE(20) : buf.readUInt32BE(20);
      if (link !== LINKTYPE_NFLOG) throw new Error(`tcpdump wrote link type ${link}, not NFLOG`);
      buf = buf.subarray(24);
    }
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    while (buf.length >= 16) {
      const incl = u32(8);
      if (buf.length < 16 + incl) break;
      onRecord(buf.subarray(16, 16 + incl), new Date(u32(0) * 1000 + Math.floor(u32(4) / 1000)));
      buf = buf.subarray(16 + incl);
    }
  };
}

/** Reads nflog group `group` until the answered stop function is called. */
export function watchNflog(group: number, onPacket: (p: LoggedPacket) => void): () => Promise<void> {
  const nameOf = ifNames();
  let child: ChildProcess | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const start = () => {
    // 128 bytes are the IP and transport headers: what the log shows, not what the packet carried.
    // setpriv --pdeathsig: a control plane killed with -9 takes its reader along, which would
    // otherwise hold the group (one reader per group) until the next logged packet hit the closed pipe.
    // -Z root: tcpdump's switch to its own user would clear the parent-death signal (a credential change).
    const args = ['--pdeathsig', 'KILL', '--', 'tcpdump', '-Z', 'root', '-i', `nflog:${group}`, '-U', '-w', '-', '-s', '128', '--immediate-mode'];
    const c = spawn('setpriv', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child = c;
    const feed = pcapReader((data, at) => {
      const p = parseNflog(data, at, nameOf);
      if (p) onPacket(p);
    });
    c.stdout!.on('data', (chunk: Buffer) => {
      try {
        feed(chunk);
      } catch (err) {
        console.error(`kumulus: firewall log: ${err instanceof Error ? err.message : err}`);
        c.kill();
      }
    });
    c.on('error', (err) => console.error(`kumulus: firewall log: tcpdump: ${err.message}`));
    c.on('exit', () => {
      child = null;
      if (!stopped) timer = setTimeout(start, 2000);
    });
  };
  start();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill();
    });
  };
}
